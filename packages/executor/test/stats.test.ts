import { WorkerPoolExecutor } from '@corio/executor';
import { describe, expect, it } from 'vitest';
import { Histogram } from '../src/internal/histogram.js';
import { blockingJob, cells, setCell, waitForCell } from './helpers.js';

describe('stats()', () => {
  it('counts a known workload: queued, running, completed, failed, cancelled, per worker', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    expect(pool.stats()).toMatchObject({
      queued: 0,
      running: 0,
      completed: 0,
      workersStarted: 0,
      workers: [],
      runTime: { count: 0, p50: 0, max: 0 },
    });
    const shared = cells();
    const blocker = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'done');
    await waitForCell(shared, 0);
    const adds = Array.from({ length: 5 }, (_, i) => pool.submit((n: number) => n * 2, i));
    const fails = Array.from({ length: 2 }, () =>
      pool.submit(() => {
        throw new Error('no');
      }),
    );
    await Promise.resolve(); // dispatched: handed to the blocked worker, not begun
    expect(adds[4]?.cancel()).toBe(true);
    let stats = pool.stats();
    expect(stats).toMatchObject({ queued: 6, running: 1, cancelled: 1, completed: 0 });
    expect(stats.workers).toHaveLength(1);
    expect(stats.workers[0]?.state).toBe('running');
    setCell(shared, 1, 1);
    await blocker;
    await Promise.all(adds.slice(0, 4));
    await Promise.allSettled(fails);
    stats = pool.stats();
    expect(stats).toMatchObject({
      queued: 0,
      running: 0,
      completed: 5,
      failed: 2,
      cancelled: 1,
      workersStarted: 1,
    });
    expect(stats.workers[0]).toMatchObject({ state: 'idle', completed: 7 });
    const utilization = stats.workers[0]?.utilization ?? -1;
    expect(utilization).toBeGreaterThan(0);
    expect(utilization).toBeLessThanOrEqual(1);
    expect(stats.runTime.count).toBe(7);
    expect(stats.waitTime.count).toBe(7);
    // The blocking job ran longest; the others waited behind it.
    expect(stats.runTime.max).toBeGreaterThanOrEqual(stats.runTime.p50);
    expect(stats.waitTime.p50).toBeGreaterThan(0);
    const text = String(stats);
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toMatch(
      /^<ExecutorStats queued=0 running=0 completed=5 failed=2 cancelled=1 workersStarted=1>\n {2}run time {2}p50=\S+ p90=\S+ p99=\S+ max=\S+ mean=\S+ \(7 jobs\)\n {2}wait time p50=.* \(7 jobs\)\n {2}worker \d+ idle completed=7 utilization=\d+%$/,
    );
  });

  it('a map() chunk is one job, and one with a failing item counts as failed', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const seen: number[] = [];
    const failing = pool.map(
      (n: number) => {
        if (n === 3) throw new RangeError('three');
        return n;
      },
      [1, 2, 3, 4],
      { chunkSize: 2 },
    );
    await expect(
      (async () => {
        for await (const n of failing) seen.push(n);
      })(),
    ).rejects.toThrow('three');
    expect(seen).toEqual([1, 2]);
    expect(pool.stats()).toMatchObject({ completed: 1, failed: 1, runTime: { count: 2 } });
  });

  it('the snapshot does not change afterwards', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const before = pool.stats();
    await pool.submit(() => 1);
    expect(before.completed).toBe(0);
    expect(pool.stats().completed).toBe(1);
  });
});

describe('Histogram', () => {
  it('gives count, mean, min and max exactly and percentiles within 1/16', () => {
    const h = new Histogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);
    const s = h.summary();
    expect(s).toMatchObject({ count: 1000, mean: 500.5, min: 1, max: 1000 });
    for (const [got, want] of [
      [s.p50, 500],
      [s.p90, 900],
      [s.p99, 990],
    ] as const) {
      expect(Math.abs(got - want) / want).toBeLessThanOrEqual(1 / 16);
    }
  });

  it('places microsecond durations apart and ignores NaN and negative ones', () => {
    const h = new Histogram();
    h.record(0.002);
    h.record(0.004);
    h.record(Number.NaN);
    h.record(-1);
    const s = h.summary();
    expect(s.count).toBe(2);
    expect(s.p50).toBeLessThanOrEqual(0.002 * (1 + 1 / 16));
    expect(s.p99).toBe(0.004);
  });

  it('is all zeros while empty', () => {
    expect(new Histogram().summary()).toEqual({
      count: 0,
      mean: 0,
      min: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      max: 0,
    });
  });
});
