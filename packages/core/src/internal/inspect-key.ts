import type { TaskTreeNode } from '../task-tree.js';

/** The key of the task tree's hook on globalThis (see inspect-hook.ts). */
export const INSPECT = Symbol.for('corio.inspect');

/** `globalThis[Symbol.for('corio.inspect')]`. Version 1; later versions only add to it. */
export interface InspectHook {
  readonly version: 1;
  /** The pending tasks of each copy of corio in the process. */
  readonly sources: (() => Iterable<object>)[];
  /** The tree of every copy's tasks (see taskTree). */
  taskTree(): TaskTreeNode[];
  /** The same as text (see formatTaskTree). */
  formatTaskTree(): string;
}
