import { Worker } from 'node:worker_threads';
import { WorkerPoolExecutor, toThread } from '@corio/executor';
import { describe, expect, it } from 'vitest';
import { liveWorkerThreads, workersLeftBehind } from './leak-check.js';

describe('workersLeftBehind', () => {
  it('names the workers of a pool that was not shut down, and none once it is', async () => {
    const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    expect(await pool.submit(() => 1)).toBe(1);
    const [thread] = liveWorkerThreads();
    expect(thread).toBeInstanceOf(Worker);
    expect(await workersLeftBehind(50)).toEqual([thread?.threadId]);
    await pool.shutdown();
    expect(liveWorkerThreads()).toEqual([]);
    expect(await workersLeftBehind(50)).toEqual([]);
  });

  it('ends the default pool, as run() does when main returns', async () => {
    expect(await toThread(() => 2)).toBe(2);
    expect(liveWorkerThreads().length).toBeGreaterThan(0);
    expect(await workersLeftBehind()).toEqual([]);
  });
});
