import assert from 'node:assert/strict';
import { TimeoutError, run, waitFor } from '@corio/core';
import { WorkerPoolExecutor } from '@corio/executor';

// A long computation in a worker that listens for its cancellation: it
// checks between steps (a loop that never awaits cannot see its signal
// abort, but it can read `cancelled`), and its `finally` cleans up.
async function crunch(steps: number): Promise<string> {
  // Imported inside: the function's source is sent to the worker.
  const { currentJob } = await import('@corio/executor');
  const job = currentJob();
  const scratch: number[] = []; // stands for a temp file, a transaction
  try {
    for (let step = 0; step < steps; step++) {
      job.throwIfCancelled();
      for (let i = 0; i < 1e5; i++)
        scratch[i % 100] = Math.sqrt(i * step);
    }
    return 'done';
  } finally {
    scratch.length = 0; // cleanup runs on cancel too
  }
}

const double = (n: number): number => 2 * n;

await run(async () => {
  await using pool = new WorkerPoolExecutor({
    maxWorkers: 1,
    cancelGraceMs: 1_000, // then the worker is terminated (the default)
    maxJobsPerWorker: 100, // then the worker is replaced
  });

  assert.equal(await pool.submit(double, 21), 42); // the worker is up

  // 1. A deadline cancels the job: it hears it and stops in time, so its
  //    worker is kept (no new thread started).
  try {
    await waitFor(pool.submit(crunch, 1e9), 100);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
  }
  assert.equal(await pool.submit(double, 1), 2);
  if (pool.stats().workersStarted === 1) {
    console.log('the job timed out, cleaned up and kept its worker');
  }

  // 2. 200 more jobs: each worker retires after its 100th job (the three
  //    above count) and a new one takes over. None is lost.
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => pool.submit(double, i)),
  );
  assert.equal(results[199], 398);

  // 3. The pool's figures; String(stats) adds run and wait times and a
  //    line per worker.
  const stats = pool.stats();
  console.log(String(stats).split('\n')[0]);
  console.log(
    `run time of ${String(stats.runTime.count)} jobs recorded`,
  );
});
