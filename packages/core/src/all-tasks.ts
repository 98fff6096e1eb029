import { pending } from './internal/task-registry.js';
import type { Task } from './task.js';

/**
 * The tasks that are not done yet (asyncio's `all_tasks`), as a new set. Finished tasks are not
 * kept alive by corio.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { allTasks, createTask, sleep } from '@corio/core';
 *
 * const task = createTask(() => sleep(5));
 * assert.ok(allTasks().has(task));
 * await task;
 * assert.ok(!allTasks().has(task));
 * ```
 */
export function allTasks(): Set<Task<unknown>> {
  return new Set(pending() as Iterable<Task<unknown>>);
}
