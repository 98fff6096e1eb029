import { AsyncLocalStorage } from 'node:async_hooks';
import type { Task } from '../task.js';

/**
 * The running task is found implicitly, as asyncio finds it through the running loop: every
 * task's first step runs with the task entered in this storage, and the context follows every
 * await, timer and callback started from there.
 */
export const taskStorage = new AsyncLocalStorage<Task<unknown>>();

/**
 * The task whose code is running now, if any. A callback that outlives its task (a timer set by
 * a task that has since finished) still carries that task's context: it counts as no task.
 */
export function runningTask(): Task<unknown> | undefined {
  const task = taskStorage.getStore();
  return task === undefined || task.done() ? undefined : task;
}

/**
 * Whether `enterWith` inside a promise reaction stays in that reaction. It does with Node 24's
 * AsyncContextFrame (each microtask runs in its own captured context); with the async_hooks-based
 * implementation (Node 20 and 22) it sticks to a shared resource and must be undone.
 */
export const enterStaysInReaction = !('kResourceStore' in taskStorage);
