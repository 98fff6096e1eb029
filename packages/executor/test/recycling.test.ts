// Recycling: a worker past maxJobsPerWorker or maxHeapUsedMb retires after its current job and
// is replaced, and no queued job is lost or run twice.
import { WorkerPoolExecutor, transfer, workerFunction } from '@corio/executor';
import { describe, expect, it } from 'vitest';

const JOBS = new URL('./fixtures/jobs.js', import.meta.url);
const countedRun = workerFunction<
  (counts: SharedArrayBuffer, threads: SharedArrayBuffer, i: number) => number
>(JOBS, 'countedRun');
const leaky = workerFunction<
  (counts: SharedArrayBuffer, threads: SharedArrayBuffer, i: number, bytes: number) => number
>(JOBS, 'leaky');

const JOB_COUNT = 1000;

/** How many jobs each thread ran, from the thread id each job recorded. */
function jobsPerThread(threads: Int32Array): Map<number, number> {
  const per = new Map<number, number>();
  for (const id of threads) per.set(id, (per.get(id) ?? 0) + 1);
  return per;
}

function shared(): { buffer: SharedArrayBuffer; view: Int32Array } {
  const buffer = new SharedArrayBuffer(JOB_COUNT * Int32Array.BYTES_PER_ELEMENT);
  return { buffer, view: new Int32Array(buffer) };
}

describe('recycling', () => {
  it('maxJobsPerWorker: each worker runs at most that many jobs; 1,000 queued jobs run exactly once', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2, maxJobsPerWorker: 100 });
    const counts = shared();
    const threads = shared();
    const results = await Promise.all(
      Array.from({ length: JOB_COUNT }, (_, i) =>
        pool.submit(countedRun, counts.buffer, threads.buffer, i),
      ),
    );
    expect(results).toEqual(Array.from({ length: JOB_COUNT }, (_, i) => i));
    expect([...counts.view].every((n) => n === 1)).toBe(true);
    const per = jobsPerThread(threads.view);
    expect(Math.max(...per.values())).toBeLessThanOrEqual(100);
    expect(per.size).toBeGreaterThanOrEqual(10);
    const stats = pool.stats();
    expect(stats.completed).toBe(JOB_COUNT);
    expect(stats.workersStarted).toBeGreaterThanOrEqual(10);
  });

  it('maxHeapUsedMb: a worker whose heap grows past it retires between jobs; none is lost', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2, maxHeapUsedMb: 16 });
    const counts = shared();
    const threads = shared();
    // Each job keeps 64 KiB for good: a worker reaches 16 MiB after a couple of hundred jobs.
    const results = await Promise.all(
      Array.from({ length: JOB_COUNT }, (_, i) =>
        pool.submit(leaky, counts.buffer, threads.buffer, i, 64 * 1024),
      ),
    );
    expect(results).toEqual(Array.from({ length: JOB_COUNT }, (_, i) => i));
    expect([...counts.view].every((n) => n === 1)).toBe(true);
    const per = jobsPerThread(threads.view);
    // 1,000 x 64 KiB is 62.5 MiB: no worker could hold that under 16 MiB.
    expect(Math.max(...per.values())).toBeLessThan(256);
    expect(per.size).toBeGreaterThan(2);
    expect(pool.stats()).toMatchObject({ completed: JOB_COUNT, failed: 0 });
  });

  it('a retiring worker finishes its current job; the jobs it had not begun run elsewhere', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1, maxJobsPerWorker: 1 });
    const counts = shared();
    const threads = shared();
    // One worker at a time, each given a batch of jobs of which it runs one.
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        pool.submit(countedRun, counts.buffer, threads.buffer, i),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(threads.view.subarray(0, 5)).size).toBe(5);
    expect(pool.stats().workersStarted).toBe(5);
  });

  it('a retiring worker still runs the jobs whose buffers moved to it; the others go to its replacement', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1, maxJobsPerWorker: 1 });
    const whoRuns = async (bytes?: ArrayBuffer) => {
      const { threadId } = await import('node:worker_threads');
      return [threadId, bytes?.byteLength ?? 0];
    };
    const moved = (bytes: number) => {
      const buffer = new ArrayBuffer(bytes);
      return transfer(buffer, [buffer]);
    };
    // One turn: one batch for the one worker, which retires after the first job.
    const jobs = [
      pool.submit(whoRuns),
      pool.submit(whoRuns, moved(8)),
      pool.submit(whoRuns),
      pool.submit(whoRuns, moved(16)),
    ];
    const results = await Promise.all(jobs);
    expect(results.map((r) => r[1])).toEqual([0, 8, 0, 16]);
    const [first, second, third, fourth] = results.map((r) => r[0]);
    expect([second, fourth]).toEqual([first, first]); // moved: run where their buffers went
    expect(third).not.toBe(first); // taken back, run by the replacement
    expect(pool.stats()).toMatchObject({ completed: 4, failed: 0, workersStarted: 2 });
  });
});
