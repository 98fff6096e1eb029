import { allTasks } from '../all-tasks.js';

/**
 * The pending tasks, one per line (indented), for a report of a program that cannot go on (a
 * deadlock found by the virtual clock): `  <Task name=consumer pending>`. The one place that
 * renders them, so that a richer rendering (the task tree) replaces it everywhere at once.
 */
export function describeBlockedTasks(): string {
  const lines = [...allTasks()].map((task) => `  ${task.toString()}`);
  return lines.length === 0 ? '  (no task is pending)' : lines.join('\n');
}
