import type { AsyncResource } from 'node:async_hooks';
import { enterStaysInReaction, nodeStorage } from './current.js';
import { START } from './symbols.js';

/** What the registry needs of a task: its links and its first step. */
export interface Registered {
  [PREV]: Registered | undefined;
  [NEXT]: Registered | undefined;
  [START](): void;
}

/** Links of the intrusive list of pending tasks (properties of the task itself). */
export const PREV = Symbol('corio.prev');
/** The link to the next pending task. */
export const NEXT = Symbol('corio.next');

// Every pending task, in creation order, in a list threaded through the tasks themselves: no
// Set entry, no rehashing as 100,000 tasks come and go. A pending task is held here until it
// finishes, so nobody's task is garbage-collected mid-run (asyncio's weak-reference footgun).
let head: Registered | undefined;
let tail: Registered | undefined;
let count = 0;
// Tasks made to start later (a limiter's queued calls): pending, but with no start scheduled.
// They are linked in a list of their own, so that allTasks() and run() see them.
let deferredHead: Registered | undefined;
let deferredCount = 0;

// The tasks not started yet are the list's tail from `nextToStart` on. Each registration queues
// one reaction on an already-resolved promise; reactions run in order, so the k-th one starts the
// k-th task: tasks start in creation order, soon after (asyncio's call_soon). The reaction runs
// in its creator's async context, so a task inherits the context it was created in (asyncio
// copies contextvars the same way), and its start enters its own task on top of that.
let nextToStart: Registered | undefined;
const STARTED = Promise.resolve();

function startNext(): void {
  const task = nextToStart;
  if (task === undefined) return;
  nextToStart = task[NEXT];
  start(task);
}

// A task's start enters the task; where that would leak out of the reaction (see current.ts),
// the outer store is put back.
function start(task: Registered): void {
  if (enterStaysInReaction) {
    task[START]();
    return;
  }
  const outer = nodeStorage.getStore();
  task[START]();
  nodeStorage.enterWith(outer as never);
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
  void STARTED.then(startNext);
}

/** Adds a task whose start comes later, with {@link launchDeferred}. */
export function registerDeferred(task: Registered): void {
  task[PREV] = undefined;
  task[NEXT] = deferredHead;
  if (deferredHead !== undefined) deferredHead[PREV] = task;
  deferredHead = task;
  deferredCount++;
}

/**
 * Moves a task registered with {@link registerDeferred} to the pending list and schedules its
 * start as {@link register} does, in `context`: the async context of its creator, as if it had
 * been created now.
 */
export function launchDeferred(task: Registered, context: AsyncResource): void {
  const prev = task[PREV];
  const next = task[NEXT];
  if (prev === undefined) deferredHead = next;
  else prev[NEXT] = next;
  if (next !== undefined) next[PREV] = prev;
  deferredCount--;
  context.runInAsyncScope(register, undefined, task);
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

/** The pending tasks: scheduled ones in creation order, then those whose start comes later. */
export function* pending(): Generator<Registered> {
  for (let task = head; task !== undefined; task = task[NEXT]) yield task;
  for (let task = deferredHead; task !== undefined; task = task[NEXT]) yield task;
}

/** How many tasks are pending. */
export function pendingCount(): number {
  return count + deferredCount;
}
