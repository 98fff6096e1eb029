// The job of bench/redis-executor.ts for BullMQExecutor (named with workerFunction): add two
// numbers. The BullMQ-direct contender runs the same sum in its processor.

/** Adds two numbers. */
export function add(a: number, b: number): number {
  return a + b;
}
