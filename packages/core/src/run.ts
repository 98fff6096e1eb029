import { InvalidStateError, isCancelledError } from './errors.js';
import { gather } from './gather.js';
import { runningTask } from './internal/current.js';
import { debugMode } from './internal/debug.js';
import { startSlowStepMonitor } from './internal/slow-monitor.js';
import { RETRIEVE } from './internal/symbols.js';
import { runShutdownHooks } from './internal/shutdown-hooks.js';
import { reportUnretrieved } from './internal/unretrieved.js';
import { show } from './internal/validate.js';
import type { Task } from './task.js';
import { allTasks } from './all-tasks.js';
import { createTask } from './create-task.js';

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
 * @typeParam T - the result of `main`.
 * @param main - the program.
 * @param options - see {@link RunOptions}.
 * @throws whatever `main` throws; `InvalidStateError` (as a rejection) inside a running task.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, run, sleep } from '@corio/core';
 *
 * const result = await run(async () => {
 *   createTask(() => sleep(60_000)); // left over: cancelled when main ends
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
  const previousDebug = debugMode.enabled;
  debugMode.enabled = options?.debug ?? previousDebug;
  const stopMonitor = debugMode.enabled ? startSlowStepMonitor() : undefined;
  const task = createTask(main, { name: 'main' });
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
    stopMonitor?.();
    debugMode.enabled = previousDebug;
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
