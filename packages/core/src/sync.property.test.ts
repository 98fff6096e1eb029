// Property tests for the synchronisation primitives: random interleavings of waits, releases,
// notifications, cancels and aborts, driven step by step with microtask flushes (no timers, no
// wall clock), checking the accounting after every step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { taskWithCallback } from '../test/callback-waits-shared.js';
import { flushMicrotasks } from '../test/helpers.js';
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  InvalidStateError,
  Lock,
  Semaphore,
  createTask,
  isCancelledError,
} from './index.js';
import type { Task } from './index.js';

const NUM_RUNS = 150;
/** Enough microtask rounds for every hand-off, check on resume and task step to settle. */
const settle = (): Promise<void> => flushMicrotasks(40);

/** How many waiters a primitive reports in its `toString()`. */
function waitersOf(primitive: { toString(): string }): number {
  return Number(/waiters:(\d+)/.exec(primitive.toString())?.[1] ?? 0);
}

/**
 * Who calls: actors 0 to 4 alternate between a caller inside a task (cancelled with
 * `task.cancel()`) and one outside (aborted with a signal); actors 5 and 6 call from a callback
 * that a task set up (a promise reaction outside the task's own await chain, in its async
 * context), cancelled with `task.cancel()`.
 */
type Kind = 'task' | 'signal' | 'callback';
const FIRST_CALLBACK_ACTOR = 5;
const ACTORS = 7;
const kindOf = (i: number): Kind =>
  i >= FIRST_CALLBACK_ACTOR ? 'callback' : i % 2 === 0 ? 'task' : 'signal';
/** Picks among the candidates for a step (taken modulo their number). */
const choice = fc.nat({ max: 2 * ACTORS });
const ABORTED = new Error('aborted by the test');

// The tasks of callback actors wait until they are cancelled: each run ends its own.
const callbackTasks: Task<unknown>[] = [];

/** Runs `body` in a task of its own (a task actor) or in a callback a task set up. */
function startActor(kind: 'task' | 'callback', body: () => unknown): Task<unknown> {
  if (kind === 'task') return createTask(body);
  const task = taskWithCallback(body);
  callbackTasks.push(task);
  return task;
}

/** Cancels the tasks of the run's callback actors (their callbacks have long ended). */
async function endCallbackActors(): Promise<void> {
  for (const task of callbackTasks.splice(0)) task.cancel();
  await settle();
}

// ---------------------------------------------------------------------------------------------
// Semaphore, BoundedSemaphore, Lock: permits

interface Permits {
  readonly name: string;
  readonly permits: number;
  acquire(options?: { signal?: AbortSignal }): Promise<true>;
  use<T>(fn: () => T | PromiseLike<T>, options?: { signal?: AbortSignal }): Promise<T>;
  release(): void;
  readonly value: number;
  /** A release with no permit out: what the primitive must do. */
  readonly overRelease: 'adds' | 'RangeError' | 'InvalidStateError';
  toString(): string;
}

function semaphore(permits: number): Permits {
  const sem = new Semaphore(permits);
  return Object.assign(sem, { name: 'Semaphore', permits, overRelease: 'adds' as const });
}

function boundedSemaphore(permits: number): Permits {
  const sem = new BoundedSemaphore(permits);
  return Object.assign(sem, {
    name: 'BoundedSemaphore',
    permits,
    overRelease: 'RangeError' as const,
  });
}

function lock(): Permits {
  const l = new Lock();
  return {
    name: 'Lock',
    permits: 1,
    acquire: (options) => l.acquire(options),
    use: (fn, options) => l.use(fn, options),
    release: () => {
      l.release();
    },
    get value() {
      return l.locked() ? 0 : 1;
    },
    overRelease: 'InvalidStateError',
    toString: () => l.toString(),
  };
}

/** How an actor takes a permit: `acquire()`, or `use(fn)` (released when `fn` returns). */
type Via = 'acquire' | 'use';
const viaOf = (i: number): Via => (i < 2 || i === FIRST_CALLBACK_ACTOR ? 'acquire' : 'use');

interface PermitActor {
  readonly kind: Kind;
  readonly via: Via;
  /** For `use`: ends the holder's `fn`, after which `use` releases the permit. */
  unhold: (() => void) | undefined;
  /** Whether its task was cancelled while it waited (then `fn` must never run). */
  cancelled: boolean;
  status: 'idle' | 'waiting' | 'holding';
  /** When its current acquire() was called (Infinity: its task has not started yet). */
  seq: number;
  task: Task<unknown> | undefined;
  controller: AbortController | undefined;
}

type PermitStep =
  | { op: 'acquire'; i: number }
  | { op: 'release'; i: number }
  | { op: 'cancel'; i: number }
  | { op: 'releaseThenCancel'; i: number; j: number }
  | { op: 'cancelThenRelease'; i: number; j: number }
  | { op: 'releaseThenAcquire'; i: number; j: number }
  | { op: 'overRelease' }
  | { op: 'flush'; rounds: number }
  | { op: 'settle' };

const permitStep: fc.Arbitrary<PermitStep> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('acquire' as const), i: choice }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), i: choice }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), i: choice }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('releaseThenCancel' as const), i: choice, j: choice }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('cancelThenRelease' as const), i: choice, j: choice }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('releaseThenAcquire' as const), i: choice, j: choice }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('overRelease' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('flush' as const),
      rounds: fc.integer({ min: 0, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('settle' as const) }) },
);

async function runPermits(primitive: Permits, steps: PermitStep[]): Promise<void> {
  const actors: PermitActor[] = Array.from({ length: ACTORS }, (_, i) => ({
    kind: kindOf(i),
    via: viaOf(i),
    unhold: undefined,
    cancelled: false,
    status: 'idle',
    seq: Infinity,
    task: undefined,
    controller: undefined,
  }));
  let seq = 0;
  const holders = (): number => actors.filter((a) => a.status === 'holding').length;

  // use(fn): `fn` holds the permit until the test releases it; it never runs for a waiter
  // cancelled or aborted.
  const hold = (a: PermitActor) => (): Promise<void> => {
    expect(a.status).toBe('waiting');
    // A cancel that came with the permit (same tick) still wins: the permit goes back. (A
    // callback's wait that was handed the permit before the cancel keeps it: a callback never
    // takes its task's cancellation.)
    if (a.kind !== 'callback') expect(a.cancelled).toBe(false);
    a.status = 'holding';
    return new Promise<void>((resolve) => {
      a.unhold = resolve;
    });
  };
  const acquire = (a: PermitActor): void => {
    if (a.status !== 'idle') return;
    a.status = 'waiting';
    a.seq = Infinity;
    a.cancelled = false;
    if (a.kind !== 'signal') {
      let started = false;
      const take = async (): Promise<void> => {
        // A callback whose task was cancelled before it ran (the task ended then) does nothing.
        if (a.task !== task || a.cancelled) return;
        started = true;
        a.seq = ++seq;
        try {
          if (a.via === 'use') await primitive.use(hold(a));
          else {
            await primitive.acquire();
            a.status = 'holding';
          }
        } catch (error) {
          expect(isCancelledError(error), String(error)).toBe(true);
          a.status = 'idle';
        }
      };
      const task = startActor(a.kind, take);
      a.task = task;
      // A task cancelled before it started never called acquire().
      task.addDoneCallback(() => {
        if (!started) a.status = 'idle';
      });
      void task.catch(() => undefined);
    } else {
      const controller = new AbortController();
      a.controller = controller;
      a.seq = ++seq;
      const options = { signal: controller.signal };
      (a.via === 'use' ? primitive.use(hold(a), options) : primitive.acquire(options)).then(
        () => {
          if (a.via === 'acquire') a.status = 'holding';
        },
        (error: unknown) => {
          expect(error).toBe(ABORTED);
          a.status = 'idle';
        },
      );
    }
  };
  const release = (a: PermitActor): void => {
    if (a.status !== 'holding') return;
    a.status = 'idle';
    if (a.via === 'use') a.unhold?.();
    else primitive.release();
  };
  const cancel = (a: PermitActor): void => {
    if (a.status !== 'waiting') return;
    if (a.kind === 'signal') a.controller?.abort(ABORTED);
    else {
      a.cancelled = true;
      a.task?.cancel();
    }
  };

  const checkAlways = (): void => {
    const value = primitive.value;
    expect(value).toBeGreaterThanOrEqual(0);
    expect(holders()).toBeLessThanOrEqual(primitive.permits);
    // Permits handed to a waiter that has not resumed yet are counted by neither.
    expect(holders() + value).toBeLessThanOrEqual(primitive.permits);
  };
  const checkSettled = (): void => {
    const waiting = actors.filter((a) => a.status === 'waiting');
    expect(holders() + primitive.value, primitive.toString()).toBe(primitive.permits);
    expect(waitersOf(primitive)).toBe(waiting.length);
    if (waiting.length > 0) expect(primitive.value).toBe(0);
    // FIFO, no barging: nobody holds a permit asked for after a caller still waiting.
    const firstWaiting = Math.min(...waiting.map((a) => a.seq));
    for (const a of actors) if (a.status === 'holding') expect(a.seq).toBeLessThan(firstWaiting);
  };

  // Steps pick among the actors that can take them, so that most steps do something.
  const pick = (status: PermitActor['status'], n: number): PermitActor => {
    const candidates = actors.filter((a) => a.status === status);
    return candidates[n % Math.max(candidates.length, 1)] ?? (actors[0] as PermitActor);
  };
  // The first waiter is the one a release hands the permit to: the most interesting to cancel.
  const waiter = (n: number): PermitActor =>
    n % 2 === 0
      ? (actors
          .filter((a) => a.status === 'waiting')
          .reduce<PermitActor | undefined>(
            (a, b) => (a !== undefined && a.seq <= b.seq ? a : b),
            undefined,
          ) ?? pick('waiting', n))
      : pick('waiting', n);

  for (const step of steps) {
    switch (step.op) {
      case 'acquire':
        acquire(pick('idle', step.i));
        break;
      case 'release':
        release(pick('holding', step.i));
        break;
      case 'cancel':
        cancel(waiter(step.i));
        break;
      case 'releaseThenCancel': {
        const target = waiter(step.j);
        release(pick('holding', step.i));
        cancel(target);
        break;
      }
      case 'cancelThenRelease':
        cancel(waiter(step.j));
        release(pick('holding', step.i));
        break;
      case 'releaseThenAcquire': {
        const newcomer = pick('idle', step.j);
        release(pick('holding', step.i));
        acquire(newcomer);
        break;
      }
      case 'overRelease': {
        await settle();
        if (holders() > 0 || primitive.overRelease === 'adds') break;
        const before = primitive.toString();
        expect(() => {
          primitive.release();
        }).toThrow(primitive.overRelease === 'RangeError' ? RangeError : InvalidStateError);
        expect(primitive.toString()).toBe(before);
        break;
      }
      case 'flush':
        await flushMicrotasks(step.rounds);
        break;
      case 'settle':
        await settle();
        checkSettled();
        break;
    }
    checkAlways();
  }

  // Everybody finishes: every permit comes back.
  await settle();
  checkSettled();
  while (actors.some((a) => a.status !== 'idle')) {
    for (const a of actors) cancel(a);
    await settle();
    for (const a of actors) release(a);
    await settle();
    checkSettled();
  }
  expect(primitive.value).toBe(primitive.permits);
  expect(waitersOf(primitive)).toBe(0);
  await endCallbackActors();
  expect(primitive.value).toBe(primitive.permits);
}

describe('Semaphore, BoundedSemaphore and Lock (properties)', () => {
  const steps = fc.array(permitStep, { minLength: 1, maxLength: 40 });
  const permits = fc.integer({ min: 1, max: 3 });

  it('Semaphore: holders never exceed the permits, waiters are served FIFO, every permit comes back', async () => {
    await fc.assert(
      fc.asyncProperty(permits, steps, (n, s) => runPermits(semaphore(n), s)),
      { numRuns: NUM_RUNS },
    );
  });

  it('BoundedSemaphore: the same, and a release above the bound changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(permits, steps, (n, s) => runPermits(boundedSemaphore(n), s)),
      { numRuns: NUM_RUNS },
    );
  });

  it('Lock: one holder at most, FIFO, and unlocked when everybody is done', async () => {
    await fc.assert(
      fc.asyncProperty(steps, (s) => runPermits(lock(), s)),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Event: a model of who waits, checked after every step

type EventStep =
  | { op: 'wait'; i: number }
  | { op: 'set' }
  | { op: 'clear' }
  | { op: 'cancel'; i: number }
  | { op: 'setThenCancel'; i: number };

const eventStep: fc.Arbitrary<EventStep> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('wait' as const), i: choice }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), i: choice }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('setThenCancel' as const), i: choice }) },
);

type Outcome = 'woke' | 'cancelled' | 'aborted';

async function runEvent(steps: EventStep[]): Promise<void> {
  const event = new Event();
  const outcomes: [number, Outcome][] = [];
  const cancels: (() => void)[] = Array.from({ length: ACTORS }, () => () => undefined);
  // The model: the flag, and who waits.
  let isSet = false;
  const waiting = new Set<number>();

  const record = (i: number, promise: Promise<unknown>): Promise<void> =>
    promise.then(
      () => {
        outcomes.push([i, 'woke']);
      },
      (error: unknown) => {
        outcomes.push([i, error === ABORTED ? 'aborted' : 'cancelled']);
      },
    );
  const wait = (i: number): void => {
    const kind = kindOf(i);
    if (kind !== 'signal') {
      // The outcome of wait() itself, seen inside the task or the callback.
      const task = startActor(kind, () => record(i, event.wait()));
      cancels[i] = () => task.cancel();
    } else {
      const controller = new AbortController();
      cancels[i] = () => {
        controller.abort(ABORTED);
      };
      void record(i, event.wait({ signal: controller.signal }));
    }
  };
  const expected = (ids: Iterable<number>, outcome: Outcome): [number, Outcome][] =>
    [...ids].map((i) => [i, outcome]);
  const cancelled = (i: number): Outcome => (kindOf(i) === 'signal' ? 'aborted' : 'cancelled');

  const idle = (n: number): number => {
    const candidates = [...Array(ACTORS).keys()].filter((i) => !waiting.has(i));
    return candidates[n % Math.max(candidates.length, 1)] ?? -1;
  };
  const waiter = (n: number): number => [...waiting][n % Math.max(waiting.size, 1)] ?? -1;

  for (const step of steps) {
    outcomes.length = 0;
    let expect_: [number, Outcome][] = [];
    switch (step.op) {
      case 'wait': {
        const i = idle(step.i);
        if (i === -1) break;
        wait(i);
        if (isSet) expect_ = [[i, 'woke']];
        else waiting.add(i);
        break;
      }
      case 'set':
        event.set();
        isSet = true;
        expect_ = expected(waiting, 'woke');
        waiting.clear();
        break;
      case 'clear':
        event.clear();
        isSet = false;
        break;
      case 'cancel': {
        const i = waiter(step.i);
        if (i === -1) break;
        cancels[i]?.();
        waiting.delete(i);
        expect_ = [[i, cancelled(i)]];
        break;
      }
      case 'setThenCancel': {
        const target = waiter(step.i);
        const was = waiting.has(target);
        event.set();
        if (was) cancels[target]?.();
        isSet = true;
        // A task cancelled before it resumed throws on resume (nothing to give back); an abort
        // after the wake-up is too late, and so is a cancel for a callback's wait (a callback
        // never takes its task's cancellation).
        expect_ = [...waiting].map((i) => [
          i,
          i === target && was && kindOf(i) === 'task' ? 'cancelled' : 'woke',
        ]);
        waiting.clear();
        break;
      }
    }
    await settle();
    const sort = (list: [number, Outcome][]): [number, Outcome][] =>
      [...list].sort((a, b) => a[0] - b[0]);
    expect(sort(outcomes)).toEqual(sort(expect_));
    expect(event.isSet()).toBe(isSet);
    expect(waitersOf(event)).toBe(waiting.size);
  }
  // Done: wake whoever still waits.
  event.set();
  await settle();
  await endCallbackActors();
}

describe('Event (properties)', () => {
  it('set() wakes exactly the live waiters; a cancelled or aborted waiter never blocks the others', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventStep, { minLength: 1, maxLength: 30 }), runEvent),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Condition: every notification wakes a live waiter or is passed on

type ConditionStep =
  | { op: 'wait'; i: number }
  | { op: 'notify'; n: number }
  | { op: 'cancel'; i: number }
  | { op: 'notifyThenCancel'; n: number; i: number }
  | { op: 'notifyReleaseThenCancel'; n: number; i: number }
  | { op: 'cancelWhileRelocking'; n: number; i: number };

const count = fc.integer({ min: 0, max: 3 });
const some = fc.integer({ min: 1, max: 3 });
const conditionStep: fc.Arbitrary<ConditionStep> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('wait' as const), i: choice }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('notify' as const), n: count }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), i: choice }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('notifyThenCancel' as const), n: some, i: choice }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('notifyReleaseThenCancel' as const),
      n: some,
      i: choice,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('cancelWhileRelocking' as const), n: some, i: choice }),
  },
);

async function runCondition(steps: ConditionStep[]): Promise<void> {
  const cond = new Condition();
  const outcomes: [number, Outcome][] = [];
  const cancels: (() => void)[] = Array.from({ length: ACTORS }, () => () => undefined);
  // The model: who waits for a notification, in the order they called wait().
  let queue: number[] = [];

  const waitOnce = async (i: number, signal?: AbortSignal): Promise<void> => {
    await cond.acquire();
    try {
      await cond.wait({ signal });
      outcomes.push([i, 'woke']);
    } catch (error) {
      outcomes.push([i, error === ABORTED ? 'aborted' : 'cancelled']);
    } finally {
      // wait() always returns or throws holding the lock.
      expect(cond.locked()).toBe(true);
      cond.release();
    }
  };
  const wait = (i: number): void => {
    const kind = kindOf(i);
    if (kind !== 'signal') {
      const task = startActor(kind, () => waitOnce(i));
      cancels[i] = () => task.cancel();
      void task.catch(() => undefined);
    } else {
      const controller = new AbortController();
      cancels[i] = () => {
        controller.abort(ABORTED);
      };
      void waitOnce(i, controller.signal);
    }
  };
  const cancelled = (i: number): Outcome => (kindOf(i) === 'signal' ? 'aborted' : 'cancelled');

  /**
   * Notifies `n` waiters and cancels `target` while it may be one of them: a notified task
   * passes its notification to the next waiter in line; an abort after the notification is too
   * late.
   */
  const notifyAndCancel = (n: number, target: number, relocking = false): [number, Outcome][] => {
    const notified = queue.slice(0, n);
    const rest = queue.slice(n);
    const result: [number, Outcome][] = notified.map((i) => [i, 'woke']);
    if (notified.includes(target)) {
      // A callback's wait throws a cancellation it meets while waiting (for the lock, again),
      // and keeps a notification it resumes with: it must wait to relock when it was cancelled
      // relocking, or when a waiter notified before it holds the lock.
      const kind = kindOf(target);
      const callbackWaits = relocking || notified.indexOf(target) > 0;
      if (kind === 'task' || (kind === 'callback' && callbackWaits)) {
        result.splice(notified.indexOf(target), 1, [target, 'cancelled']);
        const next = rest.shift();
        if (next !== undefined) result.push([next, 'woke']);
      }
    } else if (rest.includes(target)) {
      rest.splice(rest.indexOf(target), 1);
      result.push([target, cancelled(target)]);
    }
    queue = rest;
    return result;
  };

  const idle = (n: number): number => {
    const candidates = [...Array(ACTORS).keys()].filter((i) => !queue.includes(i));
    return candidates[n % Math.max(candidates.length, 1)] ?? -1;
  };
  // Half the time the first in line: the one a notification reaches first.
  const waiter = (n: number): number =>
    (n % 2 === 0 ? queue[0] : queue[(n >> 1) % Math.max(queue.length, 1)]) ?? -1;

  for (const step of steps) {
    outcomes.length = 0;
    let expected: [number, Outcome][] = [];
    switch (step.op) {
      case 'wait': {
        const i = idle(step.i);
        if (i === -1) break;
        wait(i);
        await settle();
        queue.push(i);
        break;
      }
      case 'notify':
        await cond.acquire();
        cond.notify(step.n);
        cond.release();
        expected = queue.slice(0, step.n).map((i) => [i, 'woke']);
        queue = queue.slice(step.n);
        break;
      case 'cancel': {
        const i = waiter(step.i);
        if (i === -1) break;
        cancels[i]?.();
        queue = queue.filter((j) => j !== i);
        expected = [[i, cancelled(i)]];
        break;
      }
      case 'notifyThenCancel': {
        const i = waiter(step.i);
        if (i === -1) break;
        await cond.acquire();
        cond.notify(step.n);
        cancels[i]?.();
        cond.release();
        expected = notifyAndCancel(step.n, i);
        break;
      }
      case 'notifyReleaseThenCancel': {
        const i = waiter(step.i);
        if (i === -1) break;
        await cond.acquire();
        cond.notify(step.n);
        cond.release();
        cancels[i]?.();
        expected = notifyAndCancel(step.n, i);
        break;
      }
      case 'cancelWhileRelocking': {
        const i = waiter(step.i);
        if (i === -1) break;
        await cond.acquire();
        cond.notify(step.n);
        // The notified waiters resume and queue for the lock, which the test still holds.
        await settle();
        cancels[i]?.();
        await settle();
        cond.release();
        expected = notifyAndCancel(step.n, i, true);
        break;
      }
    }
    await settle();
    const sort = (list: [number, Outcome][]): [number, Outcome][] =>
      [...list].sort((a, b) => a[0] - b[0]);
    expect(sort(outcomes), `after ${JSON.stringify(step)}`).toEqual(sort(expected));
    expect(cond.toString()).toBe(
      queue.length > 0
        ? `<Condition [unlocked, waiters:${String(queue.length)}]>`
        : '<Condition [unlocked]>',
    );
  }
  // Done: wake whoever still waits.
  await cond.acquire();
  cond.notifyAll();
  cond.release();
  await settle();
  await endCallbackActors();
}

describe('Condition (properties)', () => {
  it('every notification wakes a live waiter or is passed on; wait() always ends holding the lock', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(conditionStep, { minLength: 1, maxLength: 30 }), runCondition),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Barrier: groups of exactly `parties`, indices 0..parties-1, nobody left behind

type BarrierStep =
  | { op: 'wait'; i: number }
  | { op: 'cancel'; i: number }
  | { op: 'completeThenCancel'; i: number }
  | { op: 'reset' }
  | { op: 'abort' };

const barrierStep: fc.Arbitrary<BarrierStep> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('wait' as const), i: choice }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), i: choice }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('completeThenCancel' as const), i: choice }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reset' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('abort' as const) }) },
);

type BarrierOutcome = number | 'cancelled' | 'aborted' | 'broken';

async function runBarrier(parties: number, steps: BarrierStep[]): Promise<void> {
  const barrier = new Barrier(parties);
  const outcomes: [number, BarrierOutcome][] = [];
  const cancels: (() => void)[] = Array.from({ length: ACTORS }, () => () => undefined);
  // The model: who waits for the group to fill, in arrival order, and whether it is broken.
  let queue: number[] = [];
  let broken = false;

  const record = (i: number, promise: Promise<number>): Promise<void> =>
    promise.then(
      (index) => {
        outcomes.push([i, index]);
      },
      (error: unknown) => {
        const outcome =
          error === ABORTED
            ? 'aborted'
            : error instanceof BrokenBarrierError
              ? 'broken'
              : 'cancelled';
        outcomes.push([i, outcome]);
      },
    );
  const wait = (i: number): void => {
    const kind = kindOf(i);
    if (kind !== 'signal') {
      const task = startActor(kind, () => record(i, barrier.wait()));
      cancels[i] = () => task.cancel();
    } else {
      const controller = new AbortController();
      cancels[i] = () => {
        controller.abort(ABORTED);
      };
      void record(i, barrier.wait({ signal: controller.signal }));
    }
  };
  const idle = (n: number): number => {
    const candidates = [...Array(ACTORS).keys()].filter((i) => !queue.includes(i));
    return candidates[n % Math.max(candidates.length, 1)] ?? -1;
  };
  const waiter = (n: number): number => queue[n % Math.max(queue.length, 1)] ?? -1;
  /** `i` arrives: the model's outcome for everyone it lets through, if it completes a group. */
  const arrive = (i: number): [number, BarrierOutcome][] => {
    if (broken) return [[i, 'broken']];
    queue.push(i);
    if (queue.length < parties) return [];
    const group = queue.map((j, index): [number, BarrierOutcome] => [j, index]);
    queue = [];
    return group;
  };

  for (const step of steps) {
    outcomes.length = 0;
    let expected: [number, BarrierOutcome][] = [];
    switch (step.op) {
      case 'wait': {
        const i = idle(step.i);
        if (i === -1) break;
        wait(i);
        expected = arrive(i);
        break;
      }
      case 'cancel': {
        const i = waiter(step.i);
        if (i === -1) break;
        cancels[i]?.();
        queue = queue.filter((j) => j !== i);
        expected = [[i, kindOf(i) === 'signal' ? 'aborted' : 'cancelled']];
        break;
      }
      case 'completeThenCancel': {
        // The last party arrives and, in the same tick, a waiter of the group is cancelled: the
        // passage was granted, so the waiter still gets its index.
        // The last party is a caller outside any task, so it arrives synchronously.
        const target = waiter(step.i);
        const last = [...Array(ACTORS).keys()].find(
          (i) => kindOf(i) === 'signal' && !queue.includes(i),
        );
        if (target === -1 || last === undefined || queue.length + 1 !== parties) break;
        wait(last);
        cancels[target]?.();
        expected = arrive(last);
        break;
      }
      case 'reset':
        barrier.reset();
        expected = queue.map((i) => [i, 'broken']);
        queue = [];
        broken = false;
        break;
      case 'abort':
        barrier.abort();
        expected = queue.map((i) => [i, 'broken']);
        queue = [];
        broken = true;
        break;
    }
    await settle();
    const sort = (list: [number, BarrierOutcome][]): [number, BarrierOutcome][] =>
      [...list].sort((a, b) => a[0] - b[0]);
    expect(sort(outcomes), `after ${JSON.stringify(step)}`).toEqual(sort(expected));
    expect(barrier.broken).toBe(broken);
    expect(barrier.nWaiting).toBe(queue.length);
    expect(barrier.toString()).toBe(
      broken
        ? '<Barrier [broken]>'
        : `<Barrier [filling, waiters:${String(queue.length)}/${String(parties)}]>`,
    );
  }
  // Done: send whoever still waits away.
  barrier.abort();
  await settle();
  await endCallbackActors();
}

describe('Barrier (properties)', () => {
  it('lets through groups of exactly parties with indices 0..parties-1; a waiter that leaves is not counted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(barrierStep, { minLength: 1, maxLength: 30 }),
        runBarrier,
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
