// Tasks start in creation order, never synchronously inside createTask (asyncio schedules a
// task's first step with call_soon). One microtask drains every task created in the same tick,
// instead of one microtask per task.

import { START } from './symbols.js';

interface Startable {
  [START](): void;
}

let queue: (Startable | undefined)[] = [];
let scheduled = false;

function drain(): void {
  // A task started here may create more tasks: they join this same drain, in order.
  for (let i = 0; i < queue.length; i++) {
    const task = queue[i];
    queue[i] = undefined;
    task?.[START]();
  }
  queue = [];
  scheduled = false;
}

export function scheduleStart(task: Startable): void {
  queue.push(task);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(drain);
  }
}
