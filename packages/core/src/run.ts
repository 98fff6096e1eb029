import { InvalidStateError, isCancelledError } from './errors.js';
import { gather } from './gather.js';
import { runningTask, runtime } from './internal/current.js';
import { debugMode } from './internal/debug.js';
import { startSlowStepMonitor } from './internal/slow-monitor.js';
import { RETRIEVE } from './internal/symbols.js';
import { runShutdownHooks } from './internal/shutdown-hooks.js';
import { reportUnretrieved } from './internal/unretrieved.js';
import { show } from './internal/validate.js';
import type { Task } from './task.js';
import { allTasks } from './all-tasks.js';
import { createTaskAt } from './create-task.js';

/** Options for {@link run}. */
export interface RunOptions {
  /**
   * Debug mode: record where each task was created, name tasks that block the event loop for
   * more than 100 ms, name the tasks `main` left pending, and show creation sites in every
   * report. Also on with `CORIO_DEBUG=1`.
   * @default false
   */
  debug?: boolean | undefined;
}

/**
 * The program's entry point (asyncio's `run`): runs `main` as a task and returns its result.
 *
 * SIGINT (Ctrl-C) cancels `main`; a second SIGINT, or one after `main` ended, ends the process at
 * once. When `main` ends, every task still pending is cancelled and awaited, and every task or
 * future whose error was never retrieved is reported on stderr. If SIGINT's cancellation escaped
 * `main`, the process then ends as an interrupted program does (status 130 in a shell); if `main`
 * caught it and returned, `run()` resolves with its value.
 *
 * Callbacks that `main` set up (a server's request handlers, timers, listeners) see its
 * cancellation at their corio awaits: on Ctrl-C their `finally` blocks run, and a
 * `CancelledError` escaping such a callback is the expected end of its work, not a crash (while
 * `run()` runs, an unhandled rejection with a cancellation as its reason is not reported; any
 * other is left to Node as before). If the program can never finish (every task waits for
 * something that nothing will ever settle), the tasks still pending are named on stderr before
 * the process exits.
 *
 * @typeParam T - the result of `main`.
 * @param main - the program.
 * @param options - see {@link RunOptions}.
 * @throws whatever `main` throws; `InvalidStateError` (as a rejection) inside a running task or
 * while another `run()` is running (asyncio raises RuntimeError for both).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, run, sleep } from '@corio/core';
 *
 * const result = await run(async () => {
 *   // left over: cancelled when main ends
 *   createTask(() => sleep(60_000));
 *   await sleep(1);
 *   return 'done';
 * });
 * assert.equal(result, 'done');
 * ```
 */
export async function run<T>(main: () => PromiseLike<T> | T, options?: RunOptions): Promise<T> {
  if (typeof main !== 'function') {
    throw new TypeError(`run: 'main' must be a function, received ${show(main)}`);
  }
  if (runningTask() !== undefined) {
    throw new InvalidStateError('run() cannot be called from inside a running task');
  }
  if (runtime.running) {
    throw new InvalidStateError(
      'run() cannot be called while another run() is running: start the work as a task of the running main instead',
    );
  }
  runtime.running = true;
  const previousDebug = debugMode.enabled;
  debugMode.enabled = options?.debug ?? previousDebug;
  const stopMonitor = debugMode.enabled ? startSlowStepMonitor() : undefined;
  const task = createTaskAt(main, { name: 'main' }, run);
  const sigint = { received: false };
  const onSigint = (): void => {
    if (sigint.received || task.done()) {
      // A second Ctrl-C, or one during the shutdown after main ended (where asyncio.run raises
      // KeyboardInterrupt at once): the user wants out now.
      process.removeListener('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    sigint.received = true;
    task.cancel('interrupted by SIGINT');
  };
  process.on('SIGINT', onSigint);
  process.on('unhandledRejection', ignoreCancellations);
  process.on('beforeExit', reportStuck);
  try {
    await settle(task);
    // main's error is thrown by run() below: it is retrieved, never reported.
    task[RETRIEVE]();
    await cancelLeftovers(task);
    // The executor's default pool, if one was used (the contract: run() shuts it down).
    await runShutdownHooks();
    reportUnretrieved();
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('unhandledRejection', ignoreCancellations);
    process.removeListener('beforeExit', reportStuck);
    stopMonitor?.();
    debugMode.enabled = previousDebug;
    runtime.running = false;
  }
  if (sigint.received && task.cancelled()) {
    // Re-raise with the default handler, so the process ends the way an interrupted program
    // does (asyncio.run re-raises KeyboardInterrupt).
    if (process.listenerCount('SIGINT') === 0) {
      process.kill(process.pid, 'SIGINT');
      await new Promise<never>(() => undefined);
    }
  }
  return task.result();
}

function settle(task: Task<unknown>): Promise<void> {
  return new Promise((resolve) => {
    task.addDoneCallback(() => {
      resolve();
    });
  });
}

// Tasks left behind by main are cancelled and awaited, in rounds, since cleanup code may start
// more tasks. An error other than cancellation from one of them is reported, as asyncio does.
async function cancelLeftovers(main: Task<unknown>): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const leftovers = [...allTasks()].filter((t) => t !== main);
    if (leftovers.length === 0) return;
    if (debugMode.enabled) {
      // Pending tasks are never garbage-collected in corio (they are held until they finish),
      // so asyncio's "Task was destroyed but it is pending!" becomes this report: the tasks that
      // main left behind, with where they were created.
      for (const task of leftovers) {
        console.error(`corio: Task was still pending when main ended: ${task.toString()}`);
      }
    }
    for (const task of leftovers) task.cancel();
    const outcomes = await gather(leftovers, { returnExceptions: true });
    outcomes.forEach((outcome, index) => {
      if (outcome instanceof Error && !isCancelledError(outcome)) {
        console.error(
          `corio: unhandled error during run() shutdown in ${String(leftovers[index])}\n${outcome.stack ?? String(outcome)}`,
        );
      }
    });
  }
}

/**
 * A callback set up by a task (a request handler, a timer) sees that task's cancellation at its
 * corio awaits; the CancelledError then escaping it is the expected end of its work. Node would
 * end the process for it (status 1), so while run() runs, such rejections are dropped. Any other
 * reason is handed back to Node's own handling, as if this listener were not there.
 */
function ignoreCancellations(reason: unknown): void {
  if (isCancellation(reason)) return;
  // Another listener decides for itself, as it would without this one.
  if (process.listenerCount('unhandledRejection') > 1) return;
  switch (unhandledRejectionsMode()) {
    case 'none':
      return;
    case 'warn':
    case 'warn-with-error-code':
      console.error(reason);
      if (unhandledRejectionsMode() === 'warn-with-error-code') process.exitCode = 1;
      return;
    default:
      // 'throw', Node's default: leave, and reject again for Node to report and exit as usual.
      process.removeListener('unhandledRejection', ignoreCancellations);
      void Promise.reject(reason);
  }
}

/** A CancelledError, or an error caused by one (the AbortError of a signal-taking API). */
function isCancellation(reason: unknown): boolean {
  let current = reason;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (isCancelledError(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Node's `--unhandled-rejections` mode, from the command line or NODE_OPTIONS. */
function unhandledRejectionsMode(): string {
  let mode = 'throw';
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (const flag of flags) {
    const match = /^--unhandled-rejections=(.+)$/.exec(flag);
    if (match?.[1] !== undefined) mode = match[1];
  }
  return mode;
}

/**
 * The event loop is empty while run() still waits: every pending task awaits something nothing
 * will ever settle (a foreign promise), so the process is about to exit (with status 13 when the
 * run() was awaited at top level). Name the tasks, so the user knows where to look.
 */
function reportStuck(): void {
  process.removeListener('beforeExit', reportStuck);
  const stuck = [...allTasks()].map((task) => `  ${task.toString()}`);
  console.error(
    `corio: run() cannot finish: the event loop is empty and these tasks still wait, for something nothing will ever settle:\n${stuck.join('\n')}`,
  );
}
