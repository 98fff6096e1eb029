export { BrokenWorkerError, isBrokenWorkerError } from './errors.js';
export { WorkerPoolExecutor } from './worker-pool-executor.js';
export type { DurationStats, ExecutorStats, WorkerStats } from './executor-stats.js';
export { currentJob } from './current-job.js';
export type { JobContext } from './current-job.js';
export type {
  MapOptions,
  ShutdownOptions,
  WorkerCallable,
  WorkerPoolExecutorOptions,
} from './worker-pool-executor.js';
export { workerFunction } from './worker-function.js';
export type { WorkerFunction } from './worker-function.js';
export { transfer } from './transfer.js';
export { runInExecutor, toThread } from './run-in-executor.js';
export type { Executor } from './run-in-executor.js';
