import { AsyncLocalStorage } from 'node:async_hooks';
import type { Task } from '../task.js';
import type { InstalledClock } from './clock.js';
import { NODE_TASK } from './protocol.js';
import type { CancelNode } from './protocol.js';

/** What every copy of corio in the process shares: see protocol.ts. */
interface Runtime {
  /** The innermost node (a task, or a scope opened in it) of the code running now. */
  readonly storage: AsyncLocalStorage<CancelNode>;
  /** Numbers cancel requests in order, so a scope can tell those made while it was open. */
  seq: number;
  /** Whether a `run()` is running (only one may, as in asyncio). */
  running: boolean;
  /**
   * The clock that timers follow instead of real time (`@corio/core/testing`), if one is
   * installed. Optional: a runtime made by an older copy has no such field, which reads as none.
   */
  clock?: InstalledClock | undefined;
}

const RUNTIME = Symbol.for('corio.1.runtime');
const global = globalThis as typeof globalThis & { [RUNTIME]?: Runtime };

/**
 * The running task is found implicitly, as asyncio finds it through the running loop: every
 * task's first step runs with the task entered in this storage, every scope body runs with the
 * scope entered, and the context follows every await, timer and callback started from there.
 */
export const runtime: Runtime = (global[RUNTIME] ??= {
  storage: new AsyncLocalStorage<CancelNode>(),
  seq: 0,
  running: false,
  clock: undefined,
});

/** The storage behind {@link currentNode}. */
export const nodeStorage = runtime.storage;

/**
 * The innermost node of the code running now, if it belongs to a running task. A callback that
 * outlives its task (a timer set by a task that has since finished) still carries that task's
 * context: it counts as no task.
 */
export function currentNode(): CancelNode | undefined {
  const node = nodeStorage.getStore();
  return node === undefined || node[NODE_TASK].done() ? undefined : node;
}

/** The task whose code (or callback) is running now, if any. */
export function runningTask(): Task<unknown> | undefined {
  const node = nodeStorage.getStore();
  if (node === undefined) return undefined;
  const task = node[NODE_TASK];
  // Another copy's Task has the same public API; the cast only names it.
  return task.done() ? undefined : (task as unknown as Task<unknown>);
}

/**
 * Whether `enterWith` inside a promise reaction stays in that reaction. It does with Node 24's
 * AsyncContextFrame (each microtask runs in its own captured context); with the async_hooks-based
 * implementation (Node 22 without the flag) it sticks to a shared resource and must be undone.
 */
export const enterStaysInReaction = !('kResourceStore' in nodeStorage);
