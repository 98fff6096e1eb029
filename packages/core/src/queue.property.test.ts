// Property tests for the queues: random interleavings of put/get/putNowait/getNowait, cancels
// and aborts by several producers and consumers, driven step by step with microtask flushes (no
// timers, no wall clock). Synchronous steps between two flushes land in the same tick, so the
// races of a cancel with a hand-off are exercised too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { taskWithCallback } from '../test/callback-waits-shared.js';
import { flushMicrotasks } from '../test/helpers.js';
import { BinaryHeap } from './internal/binary-heap.js';
import { ArrivalStore, HeapStore } from './internal/item-store.js';
import type { ItemStore } from './internal/item-store.js';
import { RingBuffer } from './internal/ring-buffer.js';
import {
  InvalidStateError,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  createTask,
} from './index.js';
import type { Task } from './index.js';

const NUM_RUNS = 200;
const ABORTED = new Error('aborted by the test');
/** Enough microtask rounds for every hand-off, check on resume and task step to settle. */
const settle = (): Promise<void> => flushMicrotasks(40);

/** An item: [priority, id]. Ids are unique and given in call order. */
type Item = readonly [number, number];
type QueueKind = 'fifo' | 'lifo' | 'priority';

function makeQueue(kind: QueueKind, maxsize: number): Queue<Item> {
  if (kind === 'fifo') return new Queue<Item>(maxsize);
  if (kind === 'lifo') return new LifoQueue<Item>(maxsize);
  return new PriorityQueue<Item>(maxsize, (a, b) => a[0] - b[0]);
}

/** The order in which a queue of this kind returns stored items (arrival = id order here). */
function storeOrder(kind: QueueKind): (a: Item, b: Item) => number {
  if (kind === 'fifo') return (a, b) => a[1] - b[1];
  if (kind === 'lifo') return (a, b) => b[1] - a[1];
  return (a, b) => a[0] - b[0] || a[1] - b[1];
}

/**
 * The queue's own store, watched: every item taken must be the first of those stored in the
 * order of the queue's kind (arrival order is id order here), given-back items included.
 */
class WatchedStore implements ItemStore<Item> {
  readonly contents: Item[] = [];
  readonly wrongTakes: string[] = [];
  readonly #inner: ItemStore<Item>;
  readonly #order: (a: Item, b: Item) => number;

  constructor(kind: QueueKind) {
    this.#order = storeOrder(kind);
    this.#inner =
      kind === 'priority'
        ? new HeapStore<Item>((a, b) => a[0] - b[0])
        : new ArrivalStore<Item>(kind);
  }
  get size(): number {
    return this.#inner.size;
  }
  add(item: Item): number {
    this.contents.push(item);
    return this.#inner.add(item);
  }
  take(): Item {
    const item = this.#inner.take();
    const first = [...this.contents].sort(this.#order)[0];
    if (first !== item) this.wrongTakes.push(`took ${String(item)}, expected ${String(first)}`);
    this.contents.splice(this.contents.indexOf(item), 1);
    return item;
  }
  skip(): number {
    return this.#inner.skip();
  }
  giveBack(item: Item, place: number): void {
    this.#inner.giveBack(item, place);
    this.contents.push(item);
  }
  clear(): void {
    this.#inner.clear();
    this.contents.length = 0;
  }
  has(item: Item, place: number): boolean {
    return this.#inner.has(item, place);
  }
  remove(item: Item, place: number): void {
    this.#inner.remove(item, place);
    this.contents.splice(this.contents.indexOf(item), 1);
  }
  before(a: Item, placeA: number, b: Item, placeB: number): boolean {
    return this.#inner.before(a, placeA, b, placeB);
  }
}

/** Checks what a queue shows of its state against its invariants. */
function checkInvariants(queue: Queue<Item>): void {
  const [, getters, putters] = /getters=(\d+) putters=(\d+)/.exec(queue.toString()) ?? [];
  if (queue.maxsize > 0) expect(queue.qsize()).toBeLessThanOrEqual(queue.maxsize);
  // Getters wait only while the queue is empty; putters only while it is full.
  if (Number(getters) > 0) expect(queue.qsize()).toBe(0);
  if (Number(putters) > 0) expect(queue.full()).toBe(true);
}

const kinds = fc.constantFrom<QueueKind>('fifo', 'lifo', 'priority');
const maxsizes = fc.constantFrom(0, 1, 3);
const priority = fc.nat({ max: 3 });
const pick = fc.nat({ max: 20 });
const count = fc.integer({ min: 1, max: 4 });

// ---------------------------------------------------------------------------------------------
// Tasks, signals and iterators, with same-tick cancels: nothing lost, nothing duplicated.

type Caller = 'task' | 'signal' | 'iterator' | 'callback';
type Step =
  | { op: 'put'; by: Caller; priority: number }
  | { op: 'putNowait'; priority: number }
  | { op: 'get'; by: Caller }
  | { op: 'getNowait' }
  | { op: 'cancel'; i: number }
  | { op: 'cancelGets'; count: number }
  | { op: 'putNowaitThenCancelGets'; priorities: number[]; count: number }
  | { op: 'getNowaitThenCancelPut'; i: number }
  | { op: 'handOffRace'; gets: number; priorities: number[]; count: number }
  | { op: 'flush'; rounds: number };

const caller = fc.constantFrom<Caller>('task', 'task', 'task', 'signal', 'iterator', 'callback');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('put' as const), by: caller, priority }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('putNowait' as const), priority }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('get' as const), by: caller }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('getNowait' as const) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('cancel' as const), i: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancelGets' as const), count }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('putNowaitThenCancelGets' as const),
      priorities: fc.array(priority, { minLength: 1, maxLength: 4 }),
      count,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('getNowaitThenCancelPut' as const), i: pick }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('handOffRace' as const),
      gets: count,
      priorities: fc.array(priority, { minLength: 1, maxLength: 4 }),
      count,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('flush' as const), rounds: fc.nat({ max: 6 }) }),
  },
);

/** A put() or get() in flight, and how to give up on it. */
interface Pending {
  kind: 'put' | 'get';
  settled: boolean;
  cancel: () => void;
}

async function runChaos(
  kind: QueueKind,
  maxsize: number,
  steps: Step[],
  shutdownAt: number | undefined,
): Promise<void> {
  // A plain Queue on the kind's store: LifoQueue and PriorityQueue only choose the store.
  const store = new WatchedStore(kind);
  const queue = new Queue<Item>(maxsize, store);
  let nextId = 0;
  const putOk: Item[] = [];
  const delivered: Item[] = [];
  const pending: Pending[] = [];
  const tasks: Task<void>[] = [];

  const track = (kind: 'put' | 'get', promise: Promise<unknown>, cancel: () => void): void => {
    const entry: Pending = { kind, settled: false, cancel };
    pending.push(entry);
    const done = (): void => {
      entry.settled = true;
    };
    void promise.then(done, done);
  };
  const unexpected: unknown[] = [];
  const expectRefusal = (error: unknown): void => {
    if (error instanceof QueueShutDown || error instanceof QueueFull) return;
    if (error instanceof QueueEmpty || (error as Error).name === 'CancelledError') return;
    if (error === ABORTED) return;
    unexpected.push(error);
  };

  const live = (kind?: 'put' | 'get'): Pending[] =>
    pending.filter((p) => !p.settled && (kind === undefined || p.kind === kind));
  const putNowait = (item: Item): void => {
    try {
      queue.putNowait(item);
      putOk.push(item);
    } catch (error) {
      expectRefusal(error);
    }
  };
  const getNowait = (): void => {
    try {
      delivered.push(queue.getNowait());
    } catch (error) {
      expectRefusal(error);
    }
  };

  // A put() or get() in a callback a task set up (a promise reaction outside the task's own
  // await chain, in its async context), cancelled with the task; the task's own code waits
  // elsewhere meanwhile, until it is cancelled (at the latest when the run ends).
  const callbackTasks: Task<void>[] = [];
  const inCallback = (op: 'put' | 'get', body: () => Promise<void>): void => {
    let cancelled = false;
    let settleWith = (_outcome: Promise<void>): void => undefined;
    const outcome = new Promise<void>((resolve) => (settleWith = resolve));
    const task = taskWithCallback(() => {
      // A callback whose task was cancelled before it ran does nothing (the task has ended).
      settleWith(cancelled ? Promise.resolve() : body());
    });
    task.addDoneCallback(() => {
      settleWith(Promise.resolve()); // cancelled before its callback ran: it does nothing
    });
    void task.catch(() => undefined);
    callbackTasks.push(task);
    track(op, outcome.catch(expectRefusal), () => {
      cancelled = true;
      task.cancel();
    });
  };

  const getInTask = (): void => {
    const task = createTask(async () => {
      delivered.push(await queue.get());
    });
    tasks.push(task);
    track('get', task.catch(expectRefusal), () => task.cancel());
  };

  for (const [index, s] of steps.entries()) {
    switch (s.op) {
      case 'put': {
        if (s.by === 'task') {
          const task = createTask(async () => {
            // The id is taken when put() is called, so ids are in arrival order.
            const item: Item = [s.priority, nextId++];
            await queue.put(item);
            putOk.push(item); // before the task ends: a cancel may surface right after
          });
          tasks.push(task);
          track(s.op, task.catch(expectRefusal), () => task.cancel());
        } else if (s.by === 'callback') {
          inCallback('put', async () => {
            const item: Item = [s.priority, nextId++];
            await queue.put(item);
            putOk.push(item);
          });
        } else {
          const item: Item = [s.priority, nextId++];
          const controller = new AbortController();
          const put = queue.put(item, { signal: controller.signal }).then(() => {
            putOk.push(item);
          });
          track('put', put.catch(expectRefusal), () => {
            controller.abort(ABORTED);
          });
        }
        break;
      }
      case 'putNowait':
        putNowait([s.priority, nextId++]);
        break;
      case 'putNowaitThenCancelGets':
        // Items handed to getters that are cancelled in the same tick must come back, in order
        // and without overfilling the queue (the puts after the first may find it full).
        for (const p of s.priorities) putNowait([p, nextId++]);
        for (const p of live('get').slice(0, s.count)) p.cancel();
        break;
      case 'cancelGets':
        for (const p of live('get').slice(0, s.count)) p.cancel();
        break;
      case 'getNowaitThenCancelPut': {
        // A putter admitted by the getNowait() and cancelled in the same tick: put once.
        getNowait();
        const puts = live('put');
        puts[s.i % Math.max(1, puts.length)]?.cancel();
        break;
      }
      case 'handOffRace':
        // Getters in tasks, waiting; items handed to them; the getters cancelled in that tick.
        for (let i = 0; i < s.gets; i++) getInTask();
        await settle();
        for (const p of s.priorities) putNowait([p, nextId++]);
        for (const p of live('get').slice(0, s.count)) p.cancel();
        break;
      case 'get': {
        if (s.by === 'task') getInTask();
        else if (s.by === 'callback') {
          inCallback('get', async () => {
            delivered.push(await queue.get());
          });
        } else if (s.by === 'signal') {
          const controller = new AbortController();
          const get = queue.get({ signal: controller.signal }).then((item) => {
            delivered.push(item);
          });
          track('get', get.catch(expectRefusal), () => {
            controller.abort(ABORTED);
          });
        } else {
          const iterator = queue[Symbol.asyncIterator]();
          const next = iterator.next().then((result) => {
            if (result.done !== true) delivered.push(result.value);
          });
          track('get', next.catch(expectRefusal), () => {
            void iterator.return?.();
          });
        }
        break;
      }
      case 'getNowait':
        getNowait();
        break;
      case 'cancel': {
        const all = live();
        all[s.i % Math.max(1, all.length)]?.cancel();
        break;
      }
      case 'flush':
        await flushMicrotasks(s.rounds);
        break;
    }
    if (index === shutdownAt) queue.shutdown();
    checkInvariants(queue);
  }

  // Give up on everything still waiting, then account for every item.
  await settle();
  for (const p of pending) if (!p.settled) p.cancel();
  await settle();
  expect(pending.filter((p) => !p.settled)).toEqual([]);
  expect(unexpected).toEqual([]);
  expect(store.wrongTakes).toEqual([]);
  expect(tasks.filter((t) => !t.done())).toEqual([]);
  for (const task of callbackTasks) task.cancel();
  await settle();
  checkInvariants(queue);

  const left: Item[] = [];
  while (!queue.empty()) left.push(queue.getNowait());
  expect([...left].sort(storeOrder(kind))).toEqual(left);
  const ids = (items: Item[]): number[] => items.map((item) => item[1]).sort((a, b) => a - b);
  expect(ids([...delivered, ...left])).toEqual(ids(putOk));

  // join() counts exactly the items put.
  for (const _ of putOk) queue.taskDone();
  expect(() => {
    queue.taskDone();
  }).toThrow(InvalidStateError);
  await queue.join({ signal: AbortSignal.timeout(1_000) });
}

// ---------------------------------------------------------------------------------------------
// Callers outside tasks, against a model: every result, in order, for each queue kind.

type ModelStep =
  | { op: 'put'; priority: number }
  | { op: 'putNowait'; priority: number }
  | { op: 'get' }
  | { op: 'getNowait' }
  | { op: 'abort'; i: number }
  | { op: 'flush' };

const modelStep: fc.Arbitrary<ModelStep> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('put' as const), priority }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('putNowait' as const), priority }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('get' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('getNowait' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('abort' as const), i: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
);

/** One waiting call in the model, and what the real call ended with. */
interface ModelCall {
  kind: 'put' | 'get';
  item: Item | undefined;
  /** What the model says the call ends with. */
  expected: 'pending' | 'put' | 'aborted' | Item;
  actual: 'pending' | 'put' | 'aborted' | Item;
  controller: AbortController;
}

/**
 * The queue's rules, written as plainly as possible (arrays, linear scans). A getter handed an
 * item keeps a slot of a bounded queue until it resumes (in the order they were handed one, at
 * the next flush).
 */
class Model {
  readonly stored: Item[] = [];
  readonly getters: ModelCall[] = [];
  readonly putters: ModelCall[] = [];
  readonly resuming: ModelCall[] = [];
  constructor(
    readonly kind: QueueKind,
    readonly maxsize: number,
  ) {}

  hasRoom(): boolean {
    return this.maxsize <= 0 || this.stored.length + this.resuming.length < this.maxsize;
  }

  add(item: Item): void {
    const getter = this.getters.shift();
    if (getter === undefined) this.stored.push(item);
    else {
      getter.expected = item;
      if (this.maxsize > 0) this.resuming.push(getter);
    }
  }

  /** The getters handed an item resume, in order, each freeing its slot. */
  resume(): void {
    for (let call = this.resuming.shift(); call !== undefined; call = this.resuming.shift()) {
      this.admit();
    }
  }

  take(): Item {
    const order = storeOrder(this.kind);
    let best = 0;
    this.stored.forEach((item, i) => {
      if (order(item, this.stored[best] as Item) < 0) best = i;
    });
    return this.stored.splice(best, 1)[0] as Item;
  }

  admit(): void {
    while (this.putters.length > 0 && this.hasRoom()) {
      const putter = this.putters.shift() as ModelCall;
      this.add(putter.item as Item);
      putter.expected = 'put';
    }
  }

  getNowait(): Item | 'empty' {
    if (this.stored.length === 0) return 'empty';
    const item = this.take();
    this.admit();
    return item;
  }
}

async function runModel(kind: QueueKind, maxsize: number, steps: ModelStep[]): Promise<void> {
  const queue = makeQueue(kind, maxsize);
  const model = new Model(kind, maxsize);
  const calls: ModelCall[] = [];
  let nextId = 0;

  for (const s of steps) {
    switch (s.op) {
      case 'put':
      case 'get': {
        const call: ModelCall = {
          kind: s.op,
          item: s.op === 'put' ? [s.priority, nextId++] : undefined,
          expected: 'pending',
          actual: 'pending',
          controller: new AbortController(),
        };
        calls.push(call);
        const options = { signal: call.controller.signal };
        const aborted = (): void => {
          call.actual = 'aborted';
        };
        if (call.item !== undefined) {
          void queue.put(call.item, options).then(() => (call.actual = 'put'), aborted);
          if (model.hasRoom()) {
            model.add(call.item);
            call.expected = 'put';
          } else model.putters.push(call);
        } else {
          void queue.get(options).then((item) => (call.actual = item), aborted);
          const item = model.getNowait();
          if (item === 'empty') model.getters.push(call);
          else call.expected = item;
        }
        break;
      }
      case 'putNowait': {
        const item: Item = [s.priority, nextId++];
        const full = !model.hasRoom();
        if (full)
          expect(() => {
            queue.putNowait(item);
          }).toThrow(QueueFull);
        else {
          queue.putNowait(item);
          model.add(item);
        }
        break;
      }
      case 'getNowait': {
        const item = model.getNowait();
        if (item === 'empty') expect(() => queue.getNowait()).toThrow(QueueEmpty);
        else expect(queue.getNowait()).toEqual(item);
        break;
      }
      case 'abort': {
        const waiting = calls.filter((c) => c.expected === 'pending');
        const call = waiting[s.i % Math.max(1, waiting.length)];
        if (call !== undefined) {
          call.controller.abort();
          call.expected = 'aborted';
          const queueOf = call.kind === 'put' ? model.putters : model.getters;
          queueOf.splice(queueOf.indexOf(call), 1);
        }
        break;
      }
      case 'flush':
        await settle();
        model.resume();
        for (const call of calls) expect(call.actual).toEqual(call.expected);
        break;
    }
    expect(queue.qsize()).toBe(model.stored.length);
    checkInvariants(queue);
  }
  for (const call of calls) if (call.expected === 'pending') call.controller.abort();
  await settle();
  for (const call of calls) {
    expect(call.actual).toEqual(call.expected === 'pending' ? 'aborted' : call.expected);
  }
}

describe('Queue, LifoQueue, PriorityQueue (properties)', () => {
  it('lose and duplicate no item under random puts, gets, cancels and aborts in tasks', async () => {
    await fc.assert(
      fc.asyncProperty(
        kinds,
        maxsizes,
        fc.array(step, { maxLength: 60, size: 'max' }),
        // A shutdown() (gets drain what is left) in one run out of four.
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.nat({ max: 60 }) },
        ),
        runChaos,
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('return every item in the order of their kind, handing off to the first waiter', async () => {
    await fc.assert(
      fc.asyncProperty(
        kinds,
        maxsizes,
        fc.array(modelStep, { maxLength: 60, size: 'max' }),
        runModel,
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('RingBuffer and BinaryHeap (properties)', () => {
  type DequeOp = [op: 'push' | 'unshift' | 'shift' | 'pop' | 'insert', at: number, value: number];
  const dequeOp: fc.Arbitrary<DequeOp> = fc.tuple(
    fc.constantFrom(
      'push' as const,
      'unshift' as const,
      'shift' as const,
      'pop' as const,
      'insert' as const,
    ),
    fc.nat(),
    fc.integer(),
  );

  it('RingBuffer behaves like an array through growth and shrinking', () => {
    fc.assert(
      fc.property(fc.array(dequeOp, { maxLength: 300, size: 'max' }), (ops) => {
        const ring = new RingBuffer<number>();
        const model: number[] = [];
        for (const op of ops) {
          const [name, at, value] = op;
          if (name === 'push') {
            ring.push(value);
            model.push(value);
          } else if (name === 'unshift') {
            ring.unshift(value);
            model.unshift(value);
          } else if (name === 'shift') expect(ring.shift()).toBe(model.shift());
          else if (name === 'pop') expect(ring.pop()).toBe(model.pop());
          else {
            const index = at % (model.length + 1);
            ring.insert(index, value);
            model.splice(index, 0, value);
          }
          expect(ring.length).toBe(model.length);
        }
        expect([...ring]).toEqual(model);
        expect(ring.at(-1)).toBe(model.at(-1));
      }),
      { numRuns: 200 },
    );
  });

  it('BinaryHeap pops by compare, then by sequence number', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.tuple(fc.nat({ max: 5 }), fc.integer()), { nil: undefined }), {
          maxLength: 200,
          size: 'max',
        }),
        (ops) => {
          const heap = new BinaryHeap<readonly [number, number]>((a, b) => a[0] - b[0]);
          const model: (readonly [number, number, number])[] = [];
          let seq = 0;
          for (const op of ops) {
            if (op === undefined) {
              model.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
              const expected = model.shift();
              const popped = heap.pop();
              expect(popped?.[1]).toBe(expected?.[1]);
            } else {
              heap.push(op, seq);
              model.push([op[0], op[1], seq++]);
            }
            expect(heap.size).toBe(model.length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
