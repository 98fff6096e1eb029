// What the callback-waits tests of every package share: the callbacks a task sets up (which run
// in its async context), what the task's own code awaits meanwhile, and a check that a test left
// no timer armed. (Imported by the other packages' tests by path, as docs/test's helpers are.)
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { CancelledError, Future, createTask, sleep } from '../src/index.js';
import type { Task } from '../src/index.js';
import { nextTurn } from './helpers.js';

/** A way for a task to set up a callback that runs later, in the task's async context. */
export interface Origin {
  readonly name: string;
  /** Sets up `callback` to run later, from the task's code. */
  readonly setUp: (callback: () => void) => void;
}

export const ORIGINS: readonly Origin[] = [
  {
    name: 'a setImmediate callback',
    setUp: (callback) => {
      setImmediate(callback);
    },
  },
  {
    name: 'a setTimeout callback',
    setUp: (callback) => {
      setTimeout(callback, 0);
    },
  },
  {
    name: 'an EventEmitter listener emitted from a timer of the task',
    setUp: (callback) => {
      // A listener runs in the context of the code that emits: a timer the task set up.
      const emitter = new EventEmitter();
      emitter.once('go', callback);
      setTimeout(() => emitter.emit('go'), 0);
    },
  },
];

/** What the task's own code awaits while its callback waits. */
export type Own = 'a foreign promise' | 'a corio future';
export const OWNS: readonly Own[] = ['a foreign promise', 'a corio future'];

/** Every wait of a table, begun from every origin, with the own code in either state. */
export function callbackCases<W>(waits: readonly W[]): { wait: W; origin: Origin; own: Own }[] {
  return waits.flatMap((wait) =>
    ORIGINS.flatMap((origin) => OWNS.map((own) => ({ wait, origin, own }))),
  );
}

/**
 * A task that sets up a callback running `callback` (a promise reaction outside the task's own
 * await chain, in its async context), and waits elsewhere, at a corio await, until it is
 * cancelled.
 */
export function taskWithCallback(callback: () => unknown): Task<void> {
  return createTask(async () => {
    void Promise.resolve().then(callback);
    await new Future<void>();
  });
}

/** A plain promise and what resolves it: not a cancellation point, nor any corio wait. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * The task's own code while its callback waits: awaits `own` (the `foreign` promise, then its
 * next corio await; or a corio future) and logs how that ended.
 */
export async function ownCode(own: Own, foreign: Promise<void>, log: string[]): Promise<void> {
  try {
    if (own === 'a foreign promise') {
      await foreign;
      log.push('foreign promise resolved');
      await sleep(0);
    } else {
      await new Future<undefined>();
    }
    log.push('not cancelled');
  } catch (error) {
    log.push(`own code: ${(error as Error).name}`);
    throw error;
  }
}

/** The timers and immediates armed now that keep the process alive. */
export function armedTimers(): number {
  return process
    .getActiveResourcesInfo()
    .filter((name) => name === 'Timeout' || name === 'Immediate').length;
}

/**
 * Fails each test of the file that leaves a timer or an immediate armed: more of them than when
 * it began, for longer than a second (the test runner arms short-lived timers of its own now and
 * then; the waits under test hold timers of a minute, and one armed before the test, by the
 * runner or an earlier test, may have fired meanwhile).
 */
export function checkNoLeakedTimers(): void {
  let before = 0;
  beforeEach(() => {
    before = armedTimers();
  });
  afterEach(async () => {
    await vi.waitFor(
      () => {
        expect(armedTimers(), 'timers left armed by the test').toBeLessThanOrEqual(before);
      },
      { timeout: 1_000, interval: 5 },
    );
  });
}

/** A promise followed, so that a test can tell whether it is still pending. */
export interface Tracked {
  readonly settled: boolean;
  readonly promise: Promise<unknown>;
}

/** Follows `promise` (a wait begun in a callback). */
export function track(promise: PromiseLike<unknown>): Tracked {
  const state = { settled: false, promise: Promise.resolve(promise) };
  const settle = (): void => {
    state.settled = true;
  };
  state.promise.then(settle, settle);
  return state;
}

/**
 * Cancels `task` while the wait its callback began is waiting, and checks what API.md promises:
 * the wait rejects with the task's CancelledError before the event loop turns again; the task's
 * own code (run by {@link ownCode}) still gets the cancellation (at its next corio await once the
 * foreign promise resolves, or at once where it is suspended at a corio await); the task ends
 * cancelled.
 */
export async function cancelMidWait(
  task: Task<unknown>,
  wait: Tracked,
  own: { kind: Own; foreign: { open: () => void }; log: string[] },
): Promise<void> {
  await nextTurn();
  expect(wait.settled).toBe(false);
  task.cancel('stop');
  // Cancellation needs no I/O: by the next turn of the event loop the wait has ended.
  await nextTurn();
  expect(wait.settled).toBe(true);
  const error = await wait.promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CancelledError);
  expect((error as CancelledError).message).toBe('stop');
  if (own.kind === 'a foreign promise') {
    // The own code could not see it yet; the callback did not take it.
    expect(task.done()).toBe(false);
    expect(own.log).toEqual([]);
    own.foreign.open();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(own.log).toEqual(['foreign promise resolved', 'own code: CancelledError']);
  } else {
    expect(task.done()).toBe(true);
    expect(own.log).toEqual(['own code: CancelledError']);
  }
  expect(task.cancelled()).toBe(true);
}
