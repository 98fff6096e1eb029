import { runningTask } from './internal/current.js';
import type { Task } from './task.js';

/**
 * The task whose code is running now, or `undefined` outside any task (asyncio's
 * `current_task`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, currentTask } from '@corio/core';
 *
 * const task = createTask(() => currentTask()?.name, { name: 'probe' });
 * assert.equal(await task, 'probe');
 * assert.equal(currentTask(), undefined);
 * ```
 */
export function currentTask(): Task<unknown> | undefined {
  return runningTask();
}
