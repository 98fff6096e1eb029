// The one side effect of loading @corio/core (declared in package.json's `sideEffects`): a hook
// on globalThis through which `npx corio ps|pstree <pid>` reads the task tree of a process that
// imported nothing for it, with the inspector's Runtime.evaluate. Every copy of corio in the
// process adds itself to the same hook (keyed with Symbol.for), so the tree shows them all.

import { formatTaskTree } from '../format-task-tree.js';
import { taskTree } from '../task-tree.js';
import type { TaskTreeNode } from '../task-tree.js';

/** What each copy of corio offers the hook. */
interface Copy {
  taskTree(): TaskTreeNode[];
  formatTaskTree(tree?: readonly TaskTreeNode[]): string;
}

/** The hook: `globalThis[Symbol.for('corio.inspect')]`. Version 1; later ones only add. */
export interface InspectHook {
  readonly version: 1;
  readonly copies: Copy[];
  /** The roots of every copy's tree. */
  taskTree(): TaskTreeNode[];
  /** Every copy's tree, as text (see formatTaskTree). */
  formatTaskTree(): string;
}

/** The hook's key on globalThis. */
export const INSPECT = Symbol.for('corio.inspect');

function makeHook(): InspectHook {
  const copies: Copy[] = [];
  return {
    version: 1,
    copies,
    taskTree: () => copies.flatMap((copy) => copy.taskTree()),
    formatTaskTree: () =>
      copies
        .map((copy) => copy.formatTaskTree())
        .filter((text) => text !== '')
        .join('\n'),
  };
}

const global = globalThis as typeof globalThis & { [INSPECT]?: InspectHook };
(global[INSPECT] ??= makeHook()).copies.push({ taskTree, formatTaskTree });
