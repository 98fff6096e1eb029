import assert from 'node:assert/strict';
import { CancelledError, createTask, sleep } from '@corio/core';
import { BrokenWorkerError, WorkerPoolExecutor } from '@corio/executor';

await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });

// piscina's pool.run(data) → pool.submit(fn, ...args); fn is
// self-contained: its source is sent.
function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
assert.deepEqual(
  await Promise.all([20, 21].map((n) => pool.submit(fib, n))),
  [6765, 10946],
);

// Cancelling a running job aborts its signal in the worker; one that
// ignores it (this loop) is terminated after cancelGraceMs, and a fresh
// worker takes its place.
const stuck = pool.submit(() => {
  for (;;) {
    // A job that never ends.
  }
});
const caller = createTask(() => stuck);
await sleep(100);
caller.cancel(); // cancels the awaited job too
assert.ok(
  (await caller.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.equal(stuck.cancelled(), true);

// A job that crashes its worker fails alone; the pool goes on.
const crash = pool.submit(() => {
  process.exit(3);
});
assert.ok(
  (await crash.catch((e: unknown) => e)) instanceof BrokenWorkerError,
);
assert.equal(await pool.submit(fib, 10), 55);
