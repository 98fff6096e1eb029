import { formatTaskTree } from '../format-task-tree.js';

/**
 * The task tree, indented, for the report of a program that cannot go on (a deadlock found by
 * the virtual clock): each pending task, what it waits on and the tasks it started.
 */
export function describeBlockedTasks(): string {
  const tree = formatTaskTree();
  if (tree === '') return '  (no task is pending)';
  return tree
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
