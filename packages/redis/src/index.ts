export { BullMQExecutor } from './bullmq-executor.js';
export type { BullMQExecutorOptions, BullMQMapOptions } from './bullmq-executor.js';
export { BullMQJob } from './bullmq-job.js';
export type { CancelAck } from './bullmq-job.js';
export { startWorker } from './start-worker.js';
export type { QueueWorker, StartWorkerOptions } from './start-worker.js';
