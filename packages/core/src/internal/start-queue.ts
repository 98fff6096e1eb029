// Tasks start in creation order, never synchronously inside createTask (asyncio schedules a
// task's first step with call_soon). One microtask drains every task created in the same tick,
// instead of one microtask per task.

import { taskStorage } from './current.js';
import { START } from './symbols.js';

interface Startable {
  [START](): void;
}

let queue: (Startable | undefined)[] = [];
let scheduled = false;

function drain(): void {
  const outer = taskStorage.getStore();
  // A task started here may create more tasks: they join this same drain, in order. Each start
  // enters its task's context (enterWith) for its first step; the outer one is put back after.
  for (let i = 0; i < queue.length; i++) {
    const task = queue[i];
    queue[i] = undefined;
    task?.[START]();
  }
  queue = [];
  scheduled = false;
  taskStorage.enterWith(outer as never);
}

export function scheduleStart(task: Startable): void {
  queue.push(task);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(drain);
  }
}
