import { show } from './internal/validate.js';
import { taskTree } from './task-tree.js';
import type { TaskTreeContents, TaskTreeNode, TaskTreeScope } from './task-tree.js';

/**
 * Renders a task tree as text, one line per task, scope and wait (asyncio 3.14's
 * `format_call_graph`; `print(formatTaskTree())` is its `print_call_graph`).
 *
 * Each task shows as its printed state (`<Task name=fetch pending>`, with `created at` its
 * creation site in debug mode, and `queued in <limiter …>` while a limiter holds its start);
 * under it, what it waits on, then the scopes open in it with what they hold, then the tasks it
 * created. `npx corio pstree <pid>` prints the same for another process.
 *
 * @param tree - the roots, as {@link taskTree} returns them; by default, the tree now.
 * @returns the text, lines joined with `\n`; empty if no task is pending.
 * @throws `TypeError` if `tree` is not an array.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import {
 *   Event,
 *   createTask,
 *   formatTaskTree,
 *   sleep,
 *   taskGroup,
 *   taskTree,
 * } from '@corio/core';
 *
 * const event = new Event();
 * const main = createTask(() =>
 *   taskGroup(async (tg) => {
 *     tg.createTask(() => event.wait(), { name: 'waiter' });
 *     await event.wait();
 *   }),
 *   { name: 'main' },
 * );
 * await sleep(0);
 * const mine = taskTree().filter((node) => node.task === main);
 * assert.equal(
 *   formatTaskTree(mine),
 *   [
 *     '<Task name=main pending>',
 *     '└── taskGroup <TaskGroup tasks=1 errors=0 running>',
 *     '    ├── wait <Event [unset, waiters:2]>',
 *     '    └── <Task name=waiter pending>',
 *     '        └── wait <Event [unset, waiters:2]>',
 *   ].join('\n'),
 * );
 * event.set();
 * await main;
 * ```
 */
export function formatTaskTree(tree: readonly TaskTreeNode[] = taskTree()): string {
  if (!Array.isArray(tree)) {
    throw new TypeError(
      `formatTaskTree: 'tree' must be an array of task tree nodes, received ${show(tree)}`,
    );
  }
  const roots: readonly TaskTreeNode[] = tree;
  const lines: string[] = [];
  for (const root of roots) {
    lines.push(root.description);
    addContents(lines, root, '');
  }
  return lines.join('\n');
}

/** One line under a task or scope, and what is under it. */
interface Item {
  line: string;
  inner?: TaskTreeContents;
}

/** Appends the lines of what a task or scope holds, each under `indent`. */
function addContents(lines: string[], contents: TaskTreeContents, indent: string): void {
  const items: Item[] = [
    ...contents.waitingOn.map((wait) => ({ line: wait })),
    ...contents.scopes.map((scope: TaskTreeScope) => ({ line: scope.scope, inner: scope })),
    ...contents.children.map((child) => ({ line: child.description, inner: child })),
  ];
  items.forEach((item, index) => {
    const last = index === items.length - 1;
    lines.push(`${indent}${last ? '└── ' : '├── '}${item.line}`);
    if (item.inner !== undefined)
      addContents(lines, item.inner, `${indent}${last ? '    ' : '│   '}`);
  });
}
