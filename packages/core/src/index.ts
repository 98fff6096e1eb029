export {
  BrokenBarrierError,
  CancelledError,
  InvalidStateError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  TaskGroupError,
  TimeoutError,
  isCancelledError,
  isTimeoutError,
} from './errors.js';
export { Future } from './future.js';
export type { DoneCallback } from './future.js';
export { Task } from './task.js';
export { createTask } from './create-task.js';
export type { CreateTaskOptions } from './create-task.js';
export { currentTask } from './current-task.js';
export { allTasks } from './all-tasks.js';
export { taskTree } from './task-tree.js';
export type { TaskTreeContents, TaskTreeNode, TaskTreeScope } from './task-tree.js';
export { formatTaskTree } from './format-task-tree.js';
export { now } from './now.js';
export { sleep } from './sleep.js';
export { suspend } from './suspend.js';
export type { SignalOptions, SuspendOptions, SuspendSetup } from './suspend.js';
export { gather } from './gather.js';
export type { GatherOptions } from './gather.js';
export { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, wait } from './wait.js';
export type { ReturnWhen, WaitOptions, WaitResult } from './wait.js';
export { waitFor } from './wait-for.js';
export { timeout, timeoutAt } from './timeout.js';
export type { TimeoutBody } from './timeout.js';
export { TimeoutScope } from './timeout-scope.js';
export { shield } from './shield.js';
export { asCompleted } from './as-completed.js';
export type { AsCompletedOptions, DoneFuture } from './as-completed.js';
export { TaskGroup, taskGroup } from './task-group.js';
export { run } from './run.js';
export type { RunOptions } from './run.js';
export type { Awaitable, AwaitableResult } from './awaitable.js';
export { Semaphore } from './semaphore.js';
export type { Guard } from './semaphore.js';
export { BoundedSemaphore } from './bounded-semaphore.js';
export { Lock } from './lock.js';
export { Event } from './event.js';
export { Condition } from './condition.js';
export { Barrier } from './barrier.js';
export { Queue } from './queue.js';
export { PriorityQueue } from './priority-queue.js';
export { LifoQueue } from './lifo-queue.js';
export { limiter } from './limiter.js';
export type { LimitFunction, LimiterOptions } from './limiter.js';
