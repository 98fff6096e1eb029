import { allTasks } from './all-tasks.js';
import { createTask } from './create-task.js';
import { DeadlockError, InvalidStateError } from './errors.js';
import { Autojump } from './internal/autojump.js';
import { runtime } from './internal/current.js';
import { describeBlockedTasks } from './internal/describe-blocked-tasks.js';
import { realTurn } from './internal/real-timers.js';
import { ForeignWork, immediatePending } from './internal/resources.js';
import { show } from './internal/validate.js';
import { suspend } from './suspend.js';
import type { Task } from './task.js';
import { CLOCK_HOOKS, CREATE, RETIRE, VirtualClock } from './virtual-clock.js';

/**
 * Options for {@link withVirtualClock}: where the virtual time starts, and whether it moves by
 * itself (autojump) or only by `clock.advance(ms)`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { now, sleep } from '@corio/core';
 * import { withVirtualClock } from '@corio/core/testing';
 * import type { VirtualClockOptions } from '@corio/core/testing';
 *
 * const options: VirtualClockOptions = { start: 1_000, autojump: true };
 * const woke = await withVirtualClock(async () => {
 *   await sleep(60_000); // a minute of virtual time, at once
 *   return now();
 * }, options);
 * assert.equal(woke, 61_000);
 * ```
 */
export interface VirtualClockOptions {
  /**
   * The virtual time the clock starts at, in ms (what `now()` returns at first).
   * @default 0
   */
  start?: number | undefined;
  /**
   * Move the time by itself (Trio's autojump): whenever every task waits and no other work is in
   * progress, jump to the next timer's deadline; with no timer left, report a deadlock
   * ({@link DeadlockError}). Without it, time moves only by {@link VirtualClock.advance}.
   * @default false
   */
  autojump?: boolean | undefined;
  /**
   * With `autojump`: how long, in ms of real time, the program must stay idle before the time
   * jumps (Trio's `autojump_threshold`). 0 jumps as soon as it is idle; more gives a peer that
   * takes real time to answer (another process, a server at work) the time to answer first.
   * @default 0
   */
  autojumpThreshold?: number | undefined;
}

/**
 * Runs `body` as a task on a {@link VirtualClock} (Trio's `MockClock`; asyncio has none): every
 * corio timer follows the virtual time instead of the real one until `body` is done, so a test
 * of timeouts and retries runs in no time and the same way every time.
 *
 * The clock is installed for every copy of `@corio/core` in the process, and uninstalled when
 * the returned promise settles. As `run()` does, when `body` ends every task it left pending is
 * cancelled and awaited (on virtual time). Timers set before the clock was installed keep real
 * time; timers set on it and still pending once it is uninstalled go on in real time, for the
 * time they had left. Foreign timers and I/O are left alone (and, with `autojump`, hold the jump
 * back until they are done). Calls do not nest.
 *
 * With `autojump`, a `body` that can never finish (every task waits, no timer is pending, no
 * other work is in progress) is a deadlock: the tasks it started are cancelled, and the promise
 * rejects with a {@link DeadlockError} whose message is the task tree (`formatTaskTree()`).
 *
 * @typeParam T - the type of `body`'s result.
 * @param body - the test, given the clock; it runs in a new task named `withVirtualClock`.
 * @param options - see {@link VirtualClockOptions}.
 * @returns `body`'s result.
 * @throws `InvalidStateError` (as a rejection) if a virtual clock is installed already;
 * `TypeError`/`RangeError` for a bad argument; `DeadlockError`; whatever `body` throws.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TimeoutError, now, sleep, timeout } from '@corio/core';
 * import { withVirtualClock } from '@corio/core/testing';
 *
 * const log = await withVirtualClock(
 *   async () => {
 *     const log: number[] = [];
 *     await timeout(30_000, async () => {
 *       for (;;) {
 *         await sleep(10_000);
 *         log.push(now());
 *       }
 *     }).catch((e: unknown) => {
 *       if (!(e instanceof TimeoutError)) throw e;
 *     });
 *     log.push(now());
 *     return log;
 *   },
 *   { autojump: true },
 * );
 * assert.deepEqual(log, [10_000, 20_000, 30_000]);
 * ```
 */
export async function withVirtualClock<T>(
  body: (clock: VirtualClock) => T | PromiseLike<T>,
  options: VirtualClockOptions = {},
): Promise<T> {
  const { start = 0, autojump = false, autojumpThreshold = 0 } = checkOptions(body, options);
  if (runtime.clock !== undefined) {
    throw new InvalidStateError(
      'Cannot call withVirtualClock(): a virtual clock is installed already (calls do not nest)',
    );
  }
  const before = allTasks();
  const clock = VirtualClock[CREATE](start);
  // Told by the autojump when the program is stuck: replaced as the run goes on.
  let stuck = (): void => undefined;
  const jumper = autojump
    ? new Autojump(clock, autojumpThreshold, new ForeignWork(), () => {
        stuck();
      })
    : undefined;
  runtime.clock = clock[CLOCK_HOOKS];
  try {
    const task = createTask(() => body(clock), { name: 'withVirtualClock' });
    let deadlock: DeadlockError | undefined;
    jumper?.start();
    try {
      await untilDone([task], (giveUp) => {
        stuck = () => {
          if (deadlock !== undefined) {
            giveUp(); // stuck again while unwinding: the tasks are left pending
            return;
          }
          deadlock = new DeadlockError(
            `Deadlock at ${clock.now().toFixed(1)} ms of virtual time: every task waits for ` +
              `something that no timer, I/O or other task will bring; the pending tasks:\n` +
              describeBlockedTasks(),
            clock.now(),
          );
          for (const other of startedSince(before)) other.cancel();
          jumper?.start();
        };
      });
    } finally {
      // Whatever the body left pending (all it started, if the caller was cancelled) is
      // cancelled and awaited, on virtual time, unless it cannot finish.
      const leftovers = startedSince(before);
      for (const other of leftovers) other.cancel();
      await untilDone(leftovers, (giveUp) => {
        stuck = giveUp;
        if (jumper === undefined) void settle().then(giveUp);
        else jumper.start();
      });
    }
    if (deadlock !== undefined) {
      // The body's own outcome is superseded by the report: retrieved, so never reported.
      if (task.done() && !task.cancelled()) task.exception();
      throw deadlock;
    }
    return task.result();
  } finally {
    jumper?.stop(true);
    runtime.clock = undefined;
    clock[RETIRE]();
  }
}

/** The tasks pending now that were not pending `before`. */
function startedSince(before: ReadonlySet<Task<unknown>>): Task<unknown>[] {
  return [...allTasks()].filter((task) => !before.has(task));
}

/**
 * Waits until every task of `tasks` is done, or until the function given to `watch` is called
 * (the program is stuck). A cancellation point: the caller's cancellation rejects it.
 */
function untilDone(
  tasks: readonly Task<unknown>[],
  watch: (giveUp: () => void) => void,
): Promise<undefined> {
  return suspend<undefined>((resolve) => {
    let left = tasks.length;
    const done = (): void => {
      if (--left === 0) resolve(undefined);
    };
    if (left === 0) {
      resolve(undefined);
      return;
    }
    for (const task of tasks) task.addDoneCallback(done);
    watch(() => {
      resolve(undefined);
    });
    return () => {
      for (const task of tasks) task.removeDoneCallback(done);
    };
  });
}

/** Turns of the event loop until no immediate is pending (at most 1000): what can run has run. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 1_000; turn++) {
    await realTurn();
    if (!immediatePending()) return;
  }
}

function checkOptions(body: unknown, options: unknown): VirtualClockOptions {
  if (typeof body !== 'function') {
    throw new TypeError(`withVirtualClock: 'body' must be a function, received ${show(body)}`);
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`withVirtualClock: 'options' must be an object, received ${show(options)}`);
  }
  const { start, autojump, autojumpThreshold } = options as Record<string, unknown>;
  if (start !== undefined && (typeof start !== 'number' || !Number.isFinite(start))) {
    throw new (typeof start === 'number' ? RangeError : TypeError)(
      `withVirtualClock: 'options.start' must be a finite number, received ${show(start)}`,
    );
  }
  if (autojump !== undefined && typeof autojump !== 'boolean') {
    throw new TypeError(
      `withVirtualClock: 'options.autojump' must be a boolean, received ${show(autojump)}`,
    );
  }
  if (
    autojumpThreshold !== undefined &&
    (typeof autojumpThreshold !== 'number' ||
      !(autojumpThreshold >= 0) ||
      !Number.isFinite(autojumpThreshold))
  ) {
    throw new (typeof autojumpThreshold === 'number' ? RangeError : TypeError)(
      `withVirtualClock: 'options.autojumpThreshold' must be a finite number of ms, 0 or ` +
        `more, received ${show(autojumpThreshold)}`,
    );
  }
  return options;
}
