import { taskStorage } from './current.js';
import { START } from './symbols.js';

/** What the registry needs of a task: its links and its first step. */
export interface Registered {
  [PREV]: Registered | undefined;
  [NEXT]: Registered | undefined;
  [START](): void;
}

/** Links of the intrusive list of pending tasks (properties of the task itself). */
export const PREV = Symbol('corio.prev');
export const NEXT = Symbol('corio.next');

// Every pending task, in creation order, in a list threaded through the tasks themselves: no
// Set entry, no rehashing as 100,000 tasks come and go. A pending task is held here until it
// finishes, so nobody's task is garbage-collected mid-run (asyncio's weak-reference footgun).
let head: Registered | undefined;
let tail: Registered | undefined;
let count = 0;

// The tasks not started yet are the list's tail from `nextToStart` on: tasks start in creation
// order, and one microtask starts all the tasks created in the same tick (asyncio schedules a
// task's first step with call_soon).
let nextToStart: Registered | undefined;
let drainScheduled = false;

function drain(): void {
  drainScheduled = false;
  const outer = taskStorage.getStore();
  // A task started here may create more: they are appended and started in this same drain.
  // Each start enters its own task's context; the outer one is put back afterwards.
  while (nextToStart !== undefined) {
    const task = nextToStart;
    nextToStart = task[NEXT];
    task[START]();
  }
  taskStorage.enterWith(outer as never);
}

/** Adds a new task to the pending list and schedules its start. */
export function register(task: Registered): void {
  task[PREV] = tail;
  task[NEXT] = undefined;
  if (tail === undefined) head = task;
  else tail[NEXT] = task;
  tail = task;
  count++;
  nextToStart ??= task;
  if (!drainScheduled) {
    drainScheduled = true;
    queueMicrotask(drain);
  }
}

/** Removes a finished task from the pending list. */
export function unregister(task: Registered): void {
  const prev = task[PREV];
  const next = task[NEXT];
  if (prev === undefined) {
    if (head !== task) return; // Not registered (already removed).
    head = next;
  } else prev[NEXT] = next;
  if (next === undefined) tail = prev;
  else next[PREV] = prev;
  if (nextToStart === task) nextToStart = next;
  task[PREV] = task[NEXT] = undefined;
  count--;
}

/** The pending tasks, in creation order. */
export function* pending(): Generator<Registered> {
  for (let task = head; task !== undefined; task = task[NEXT]) yield task;
}

/** How many tasks are pending. */
export function pendingCount(): number {
  return count;
}
