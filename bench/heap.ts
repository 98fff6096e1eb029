// Heap bytes per pending task: start N tasks that each wait forever (or N calls queued behind a
// limiter's only slot), force a full GC, and divide the growth of `heapUsed` by N. Needs `gc()` (node --expose-gc). Bytes do not drift with
// the machine's load, so this case is not paired in rounds; what does move the figure is what ran
// before in the same heap (a corio variant measured right after the promise baseline grew by
// ~700 B/task more than after itself or Effect), so bench/index.ts measures each variant in a
// fresh process: one warm-up sample, then the measured ones.

import { Future, createTask, gather, limiter, sleep } from '@corio/core';
import type { Task } from '@corio/core';
import { Effect, Fiber } from 'effect';
import pLimit from 'p-limit';
import { median } from './harness.js';

/** How many pending tasks each heap sample holds. */
export const HEAP_TASKS = 100_000;

/** One heap variant: the median bytes per pending task over the runs. */
export interface HeapResult {
  readonly id: string;
  readonly label: string;
  readonly bytesPerTask: number;
  /** Round by round: runs[i] of two variants were measured in the same round. */
  readonly runs: readonly number[];
  /** The warm-up round: it includes one-time growth (sleep's first 100k timers cost more). */
  readonly firstRun: number;
}

interface Variant {
  readonly id: string;
  readonly label: string;
  /** Starts `slots.length` pending operations in `slots`; `started` counts those that began. */
  start(slots: unknown[], counter: { started: number }): void;
  /** Ends them all and waits until they have finished. */
  finish(slots: unknown[]): Promise<void>;
}

const forever = (): Future<never> => new Future<never>();

/** What both p-limit's `limit` and corio's limiter offer (corio's is a drop-in for p-limit's). */
interface Queueing {
  (fn: () => unknown): PromiseLike<unknown>;
  clearQueue(): void;
  readonly pendingCount: number;
}

/**
 * Calls queued behind the only slot of `makeLimit(1)`, held by a first call until the sample
 * ends; then the queue is cleared and `cleared(slots)` checks what became of the calls.
 */
function queuedCalls(
  id: string,
  label: string,
  makeLimit: (concurrency: number) => Queueing,
  cleared: (slots: unknown[]) => Promise<void>,
): Variant {
  const held = new WeakMap<
    unknown[],
    { limit: Queueing; open: () => void; first: PromiseLike<unknown> }
  >();
  return {
    id,
    label,
    start(slots, counter) {
      let open = (): void => undefined;
      const blocker = new Promise<undefined>((resolve) => {
        open = () => {
          resolve(undefined);
        };
      });
      const limit = makeLimit(1);
      held.set(slots, { limit, open, first: limit(() => blocker) });
      for (let i = 0; i < slots.length; i++) {
        slots[i] = limit(() => i);
        counter.started++;
      }
    },
    async finish(slots) {
      const { limit, open, first } = held.get(slots) ?? {};
      if (limit === undefined || open === undefined || first === undefined) {
        throw new Error(`heap: ${id} finished a sample it did not start`);
      }
      limit.clearQueue();
      open();
      await first;
      if (limit.pendingCount !== 0) throw new Error(`heap: ${id} kept queued calls`);
      await cleared(slots);
    },
  };
}

async function cancelAll(slots: unknown[]): Promise<void> {
  const tasks = slots as Task<unknown>[];
  for (const task of tasks) task.cancel();
  const outcomes = await gather(tasks, { returnExceptions: true });
  if (!tasks.every((task) => task.cancelled()) || outcomes.length !== tasks.length) {
    throw new Error('heap: a pending task did not end cancelled');
  }
}

const VARIANTS: readonly Variant[] = [
  {
    id: 'heap.raw',
    label: 'async fn awaiting its own native Promise (baseline)',
    start(slots, counter) {
      // Each slot holds the promise's resolve function: a promise nobody can settle is garbage.
      for (let i = 0; i < slots.length; i++) {
        void (async () => {
          counter.started++;
          await new Promise<void>((resolve) => {
            slots[i] = resolve;
          });
        })();
      }
    },
    async finish(slots) {
      for (const resolve of slots as (() => void)[]) resolve();
      await sleep(0);
    },
  },
  {
    id: 'heap.future',
    label: 'corio task awaiting its own Future',
    start(slots, counter) {
      for (let i = 0; i < slots.length; i++) {
        slots[i] = createTask(async () => {
          counter.started++;
          await forever();
        });
      }
    },
    finish: cancelAll,
  },
  {
    id: 'heap.sleep',
    label: 'corio task in sleep(1e9)',
    start(slots, counter) {
      for (let i = 0; i < slots.length; i++) {
        slots[i] = createTask(async () => {
          counter.started++;
          await sleep(1e9);
        });
      }
    },
    finish: cancelAll,
  },
  // A limiter's call waiting for a slot: a pending task whose start waits.
  queuedCalls(
    'heap.limiter-queued',
    'corio limiter: a queued limit(fn) call',
    limiter,
    async (slots) => {
      const tasks = slots as Task<number>[];
      await gather(tasks, { returnExceptions: true });
      if (!tasks.every((task) => task.cancelled())) throw new Error('heap: a queued call ran');
    },
  ),
  // p-limit leaves the cleared calls' promises pending for good: they become garbage.
  queuedCalls('heap.p-limit-queued', 'p-limit: a queued limit(fn) call', pLimit, () =>
    Promise.resolve(),
  ),
  {
    id: 'heap.effect',
    label: 'Effect fiber suspended in Effect.async (runFork)',
    start(slots, counter) {
      // A one-parameter register function: Effect makes no AbortController for it. (Effect.never
      // would hold a setInterval per fiber.)
      const pending = Effect.async<never>((_resume) => {
        counter.started++;
      });
      for (let i = 0; i < slots.length; i++) slots[i] = Effect.runFork(pending);
    },
    async finish(slots) {
      const fibers = slots as Fiber.RuntimeFiber<never>[];
      await Effect.runPromise(Fiber.interruptAll(fibers));
      if (!fibers.every((fiber) => fiber.unsafePoll() !== null)) {
        throw new Error('heap: a pending fiber did not end');
      }
    },
  },
];

async function fullGc(gc: () => void): Promise<number> {
  gc();
  // A turn of the event loop lets FinalizationRegistry callbacks and weak-ref clearing run.
  await new Promise<void>((resolve) => setImmediate(resolve));
  gc();
  return process.memoryUsage().heapUsed;
}

async function sampleOnce(variant: Variant, n: number, gc: () => void): Promise<number> {
  // Pre-sized and filled, so storing the tasks later allocates nothing in the array itself.
  const slots: unknown[] = new Array<unknown>(n).fill(null);
  const counter = { started: 0 };
  const before = await fullGc(gc);
  variant.start(slots, counter);
  // Let every task run to its first suspension (Effect's scheduler starts fibers in batches,
  // yielding to timers between them: a few turns).
  for (let turn = 0; turn < 1000 && (turn === 0 || counter.started < n); turn++) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  const after = await fullGc(gc);
  if (counter.started !== n) {
    throw new Error(`heap: ${String(counter.started)} of ${String(n)} tasks started`);
  }
  await variant.finish(slots);
  return (after - before) / n;
}

/** The ids of the heap variants, in table order. */
export const HEAP_VARIANTS: readonly string[] = VARIANTS.map((v) => v.id);

/**
 * Measures the variants named (default: all), one after another: a warm-up sample, then `runs`
 * samples, each of {@link HEAP_TASKS} tasks (steady-state figures vary by a few bytes).
 */
export async function measureHeap(ids = HEAP_VARIANTS, runs = 3): Promise<HeapResult[]> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('measureHeap: run node with --expose-gc');
  const collect = (): void => {
    gc();
  };
  const results: HeapResult[] = [];
  for (const variant of VARIANTS.filter((v) => ids.includes(v.id))) {
    const firstRun = await sampleOnce(variant, HEAP_TASKS, collect);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await sampleOnce(variant, HEAP_TASKS, collect));
    results.push({
      id: variant.id,
      label: variant.label,
      bytesPerTask: median(samples),
      runs: samples,
      firstRun,
    });
  }
  return results;
}
