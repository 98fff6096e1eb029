// The cancellation ladder: a running job's cancel aborts its signal in the worker first; a job
// that ends within cancelGraceMs keeps its worker, one that does not is terminated.
import { CancelledError, InvalidStateError, isCancelledError } from '@corio/core';
import {
  BrokenWorkerError,
  WorkerPoolExecutor,
  currentJob,
  transfer,
  workerFunction,
} from '@corio/executor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cells, setCell, waitForCell } from './helpers.js';

const JOBS = new URL('./fixtures/jobs.js', import.meta.url);
const cooperative = workerFunction<(buffer: SharedArrayBuffer) => Promise<string>>(
  JOBS,
  'cooperative',
);
const polling = workerFunction<(buffer: SharedArrayBuffer) => string>(JOBS, 'polling');
const stubborn = workerFunction<(buffer: SharedArrayBuffer) => string>(JOBS, 'stubborn');
const threadOf = workerFunction<() => Promise<number>>(JOBS, 'whoAmI');
const add = workerFunction<(a: number, b: number) => number>(JOBS, 'add');

afterEach(() => {
  vi.useRealTimers();
});

describe('the cancellation ladder', () => {
  it('a job that honours its signal cleans up and keeps its worker: no new worker starts', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const shared = cells();
    const job = pool.submit(cooperative, shared.buffer as SharedArrayBuffer);
    const thread = await waitForCell(shared, 0);
    expect(job.cancel()).toBe(true);
    await expect(job).rejects.toBeInstanceOf(CancelledError);
    expect(await waitForCell(shared, 1)).toBe(1); // its finally ran
    expect(Atomics.load(shared, 2)).toBe(1); // the signal's reason was a CancelledError
    expect(await pool.submit(threadOf)).toBe(thread);
    expect(pool.stats()).toMatchObject({ workersStarted: 1, cancelled: 1, completed: 1 });
  });

  it('a loop that never yields sees `cancelled` through shared memory and stops', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1, cancelGraceMs: Infinity });
    const shared = cells();
    const job = pool.submit(polling, shared.buffer as SharedArrayBuffer);
    const thread = await waitForCell(shared, 0);
    job.cancel();
    expect(await waitForCell(shared, 1)).toBe(1);
    expect(await pool.submit(threadOf)).toBe(thread);
    expect(pool.stats().workersStarted).toBe(1);
  });

  it('a job that ignores it is terminated when the grace is over, not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1, cancelGraceMs: 1000 });
    const shared = cells();
    const job = pool.submit(stubborn, shared.buffer as SharedArrayBuffer);
    const thread = await waitForCell(shared, 0);
    const next = pool.submit(threadOf);
    job.cancel();
    expect(pool.stats().workers.map((w) => w.state)).toEqual(['stopping']);
    vi.advanceTimersByTime(999);
    expect(pool.stats().workers.map((w) => w.state)).toEqual(['stopping']);
    expect(next.done()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(pool.stats().workers.map((w) => w.state)).toEqual(['idle', 'retiring']);
    const fresh = await next;
    expect(fresh).not.toBe(thread);
    expect(pool.stats()).toMatchObject({ workersStarted: 2, cancelled: 1, completed: 1 });
  });

  it('a job whose buffers went to a worker that is then terminated fails: they went with it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1, cancelGraceMs: 50 });
    const shared = cells();
    const job = pool.submit(stubborn, shared.buffer as SharedArrayBuffer);
    await waitForCell(shared, 0);
    const buffer = new Uint8Array([1, 2, 3]).buffer;
    const sum = pool.submit(
      (b: ArrayBuffer) => new Uint8Array(b).reduce((a, x) => a + x, 0),
      transfer(buffer, [buffer]),
    );
    const plain = pool.submit((n: number) => n * 2, 21);
    expect(buffer.byteLength).toBe(0);
    job.cancel();
    vi.advanceTimersByTime(50);
    const error = await sum.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokenWorkerError);
    expect(String(error)).toBe(
      "BrokenWorkerError: The worker holding 'anonymous' (not begun; its transferred arguments cannot be sent again) was terminated",
    );
    expect(await plain).toBe(42); // a job that can be sent again runs on the fresh worker
  });

  it('the jobs behind a stopping job go to another worker at once', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2, cancelGraceMs: Infinity });
    const shared = cells(8);
    const buffer = shared.buffer as SharedArrayBuffer;
    const blocked = pool.submit(stubborn, buffer);
    const stuckThread = await waitForCell(shared, 0);
    // Both queued behind the stubborn job in its worker's batch, before the second worker exists.
    const behind = [pool.submit(threadOf), pool.submit(threadOf)];
    await Promise.resolve();
    blocked.cancel();
    const threads = await Promise.all(behind);
    expect(threads).not.toContain(stuckThread);
    setCell(shared, 1, 1); // let the stubborn job end: its worker is kept
    expect(await waitForCell(shared, 0)).toBe(stuckThread);
  });

  it('jobs stuck behind a blocked worker move to the replacement of a worker terminated after its grace', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2, cancelGraceMs: 10 });
    const a = cells();
    const b = cells();
    const first = pool.submit(stubborn, a.buffer as SharedArrayBuffer);
    const second = pool.submit(stubborn, b.buffer as SharedArrayBuffer);
    const [threadA, threadB] = [await waitForCell(a, 0), await waitForCell(b, 0)];
    first.cancel(); // worker A stops taking jobs
    const waiting = pool.submit(threadOf); // goes to B, blocked
    await Promise.resolve();
    vi.advanceTimersByTime(10); // A is terminated; a new worker takes the job from B
    expect([threadA, threadB]).not.toContain(await waiting);
    setCell(b, 1, 1);
    expect(await second).toBe('done');
  });

  it('a cancel in the same turn as the job ends drops the result and keeps the worker', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const shared = cells();
    const job = pool.submit(stubborn, shared.buffer as SharedArrayBuffer);
    const thread = await waitForCell(shared, 0);
    setCell(shared, 1, 1); // the job returns now, while the cancel below is on its way
    expect(job.cancel()).toBe(true);
    await expect(job).rejects.toBeInstanceOf(CancelledError);
    expect(await pool.submit(threadOf)).toBe(thread);
    expect(pool.stats()).toMatchObject({ workersStarted: 1, cancelled: 1, completed: 1 });
  });

  it('a map() chunk cancelled while it runs stops between items and keeps its worker', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1, cancelGraceMs: Infinity });
    const shared = cells();
    const buffer = shared.buffer as SharedArrayBuffer;
    // The first chunk (0, 1, 2) returns at once; in the second, each item counts itself in
    // cells[2] and blocks until cells[1] is set.
    const results = pool.map(
      (item: [SharedArrayBuffer, number]) => {
        const [memory, n] = item;
        const view = new Int32Array(memory);
        if (n < 3) return n;
        Atomics.add(view, 2, 1);
        Atomics.notify(view, 2);
        Atomics.wait(view, 1, 0);
        return n;
      },
      [0, 1, 2, 3, 4, 5].map((n): [SharedArrayBuffer, number] => [buffer, n]),
      { chunkSize: 3 },
    );
    for await (const value of results) {
      expect(value).toBe(0);
      await waitForCell(shared, 2); // item 3 is running
      break; // cancels the second chunk: it stops before item 4
    }
    setCell(shared, 1, 1);
    expect(await pool.submit(() => 'after')).toBe('after');
    expect(Atomics.load(shared, 2)).toBe(1);
    expect(pool.stats().workersStarted).toBe(1);
  });

  it('cancelGraceMs: 0 terminates at once (no signal, no grace)', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1, cancelGraceMs: 0 });
    const shared = cells();
    const job = pool.submit(cooperative, shared.buffer as SharedArrayBuffer);
    await waitForCell(shared, 0);
    job.cancel();
    expect(pool.stats().workers.map((w) => w.state)).toEqual(['retiring']);
    expect(await pool.submit(() => 1)).toBe(1);
    expect(Atomics.load(shared, 1)).toBe(0); // terminated: its finally never ran
    expect(pool.stats().workersStarted).toBe(2);
  });

  describe('shutdown({ cancelFutures: true })', () => {
    it('terminates a running job that ignores it when the grace is over, not before, and starts no worker', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      // Room for a second worker, so that starting one for the cancelled jobs would show.
      const pool = new WorkerPoolExecutor({ maxWorkers: 2, cancelGraceMs: 1000 });
      const shared = cells();
      const running = pool.submit(stubborn, shared.buffer as SharedArrayBuffer);
      await waitForCell(shared, 0);
      const queued = Array.from({ length: 6 }, (_, i) => pool.submit(add, i, 0));
      let closed = false;
      const shutdown = pool.shutdown({ cancelFutures: true }).then(() => (closed = true));
      expect(queued.every((job) => job.cancelled())).toBe(true);
      expect(running.cancelled()).toBe(true);
      expect(pool.stats().workers.map((w) => w.state)).toEqual(['stopping']);
      vi.advanceTimersByTime(999);
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(false);
      expect(pool.stats().workers.map((w) => w.state)).toEqual(['stopping']);
      vi.advanceTimersByTime(1);
      expect(pool.stats().workers.map((w) => w.state)).toEqual(['retiring']);
      await shutdown;
      await expect(running).rejects.toBeInstanceOf(CancelledError);
      expect(pool.stats()).toMatchObject({
        queued: 0,
        running: 0,
        cancelled: 7,
        completed: 0,
        failed: 0,
        workersStarted: 1,
        workers: [],
      });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a running job that honours it ends within the grace: the pool closes without waiting for it', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const pool = new WorkerPoolExecutor({ maxWorkers: 1, cancelGraceMs: 1000 });
      const shared = cells();
      const running = pool.submit(cooperative, shared.buffer as SharedArrayBuffer);
      await waitForCell(shared, 0);
      const queued = pool.submit(add, 1, 2);
      const shutdown = pool.shutdown({ cancelFutures: true });
      expect(queued.cancelled()).toBe(true);
      expect(pool.stats().workers.map((w) => w.state)).toEqual(['stopping']);
      await shutdown; // no fake time passes: the job's end, not the grace, closed the pool
      expect(Atomics.load(shared, 1)).toBe(1); // its finally ran
      expect(Atomics.load(shared, 2)).toBe(1); // the signal's reason was a CancelledError
      await expect(running).rejects.toBeInstanceOf(CancelledError);
      expect(pool.stats()).toMatchObject({
        cancelled: 2,
        completed: 0,
        failed: 0,
        workersStarted: 1,
        workers: [],
      });
      expect(vi.getTimerCount()).toBe(0); // the grace timer was cleared
    });
  });

  it('currentJob() outside a worker job throws InvalidStateError', () => {
    expect(() => currentJob()).toThrow(InvalidStateError);
    expect(() => currentJob()).toThrow(/outside a worker of a WorkerPoolExecutor/);
  });

  it('a self-contained function reaches currentJob() through import()', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const text = await pool.submit(async (specifier: string) => {
      // (A variable, so that vitest leaves the specifier as it is for the worker to resolve.)
      const executor = (await import(specifier)) as { currentJob: typeof currentJob };
      const job = executor.currentJob();
      return `${String(job.cancelled)} ${String(job.signal.aborted)} ${String(job)}`;
    }, '@corio/executor');
    expect(text).toMatch(/^false false <JobContext seq=\d+>$/);
  });

  it('the reason of an aborted job signal is a CancelledError by its brand', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const shared = cells();
    const job = pool.submit(cooperative, shared.buffer as SharedArrayBuffer);
    await waitForCell(shared, 0);
    job.cancel();
    await waitForCell(shared, 1);
    expect(Atomics.load(shared, 2)).toBe(1);
    expect(isCancelledError(await job.catch((e: unknown) => e))).toBe(true);
  });
});
