import { Worker } from 'node:worker_threads';
import { CancelledError, InvalidStateError, createTask } from '@corio/core';
import {
  BrokenWorkerError,
  WorkerPoolExecutor,
  isBrokenWorkerError,
  transfer,
  workerFunction,
} from '@corio/executor';
import { describe, expect, it, vi } from 'vitest';
import { MAX_IN_FLIGHT, REFILL_AT } from '../src/internal/protocol.js';
import { blockingJob, cells, setCell, waitForCell } from './helpers.js';

const JOBS = new URL('./fixtures/jobs.js', import.meta.url);
const add = (a: number, b: number): number => a + b;
const threadOf = async (): Promise<number> => (await import('node:worker_threads')).threadId;
/** Counts its runs in `cells[0]` of the buffer and returns `i`. */
const counted = (buffer: SharedArrayBuffer, i: number): number => {
  Atomics.add(new Int32Array(buffer), 0, 1);
  return i;
};

describe('WorkerPoolExecutor', () => {
  it('submit() runs a function in a worker and resolves its future with the result', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const future = pool.submit(add, 2, 3);
    expect(await future).toBe(5);
    expect(future.result()).toBe(5);
    const main = (await import('node:worker_threads')).threadId;
    expect(await pool.submit(threadOf)).not.toBe(main);
  });

  it('submit() awaits an async function and keeps results in order across many jobs', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 3 });
    const futures = Array.from({ length: 200 }, (_, i) =>
      pool.submit(async (x: number) => {
        await Promise.resolve();
        return x * 2;
      }, i),
    );
    expect(await Promise.all(futures)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
  });

  it('a job error arrives with its name, message, stack, cause and own properties', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const error = await pool
      .submit(function explode() {
        class ParseError extends Error {
          override name = 'ParseError';
          code = 'E_PARSE';
        }
        throw new ParseError('bad input', { cause: new RangeError('inner', { cause: 7 }) });
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const e = error as Error & { code: string; cause: Error & { cause: unknown } };
    expect(e.name).toBe('ParseError');
    expect(e.message).toBe('bad input');
    expect(e.code).toBe('E_PARSE');
    expect(e.stack).toContain('ParseError: bad input');
    expect(e.stack).toContain('explode');
    expect(e.cause).toBeInstanceOf(RangeError);
    expect(e.cause.message).toBe('inner');
    expect(e.cause.cause).toBe(7);
  });

  it('a thrown non-error value arrives as it is', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    await expect(
      pool.submit(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { reason: 'plain' };
      }),
    ).rejects.toEqual({ reason: 'plain' });
  });

  it('a function that captures a variable fails with an error saying closures are not allowed', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const captured = 41;
    const error = await pool
      .submit(function usesClosure() {
        return captured + 1;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceError);
    expect((error as Error).message).toMatch(
      /^Function 'usesClosure' ran in a worker, where 'captured' is not defined: closures are not allowed/,
    );
    expect((error as Error).cause).toBeInstanceOf(ReferenceError);
  });

  it('a function source that is not a function expression fails with a TypeError', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const object = {
      method(): number {
        return 1;
      },
    };
    // A method's source (`method() {...}`) is not a function expression: the point of the test.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    await expect(pool.submit(object.method)).rejects.toThrow(
      /Cannot run function 'method' in a worker: its source does not compile/,
    );
    await expect(pool.submit(Math.max, 1, 2)).rejects.toThrow(TypeError);
  });

  it('workerFunction() runs a module export, imported once by each worker', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const fixture = workerFunction<(a: number, b: number) => number>(JOBS, 'add');
    expect(await pool.submit(fixture, 20, 22)).toBe(42);
    const byPath = workerFunction<(a: number, b: number) => number>(JOBS.pathname, 'add');
    expect(await pool.submit(byPath, 1, 2)).toBe(3);
    const who = workerFunction<() => Promise<number>>(JOBS, 'whoAmI');
    expect(await pool.submit(who)).toBe(await pool.submit(threadOf));
    const fail = workerFunction<(m: string) => never>(JOBS, 'fail');
    const error = (await pool.submit(fail, 'no').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('no');
    expect((error.cause as Error).message).toBe('inner');
    const notFn = workerFunction(JOBS, 'notAFunction');
    await expect(pool.submit(notFn)).rejects.toThrow(/the export is number, not a function/);
  });

  it('a non-cloneable argument fails with a DataCloneError naming it; the pool goes on', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const error = await pool
      .submit(
        (_a: number, _b: () => void) => 0,
        1,
        () => undefined,
      )
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('DataCloneError');
    expect((error as Error).message).toMatch(/^Cannot send argument 1 of 'anonymous' to a worker/);
    expect(await pool.submit(add, 1, 1)).toBe(2);
  });

  it('a non-cloneable result fails with a DataCloneError', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const error = (await pool
      .submit(function makeFn() {
        return () => 1;
      })
      .catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('DataCloneError');
    expect(error.message).toMatch(/^Cannot send the result of 'makeFn' back from the worker/);
  });

  it('transfer() moves an ArrayBuffer argument: the sent buffer is detached', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
    const sum = pool.submit(
      (b: ArrayBuffer) => new Uint8Array(b).reduce((a, x) => a + x, 0),
      transfer(buffer, [buffer]),
    );
    expect(buffer.byteLength).toBe(0);
    expect(await sum).toBe(10);
  });

  it('a job result marked for transfer is moved back', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const bytes = await pool.submit(() => {
      const b = new Uint8Array([9, 8]).buffer;
      return { [Symbol.for('corio.transfer')]: true, value: b, transferList: [b] };
    });
    expect([...new Uint8Array(bytes as unknown as ArrayBuffer)]).toEqual([9, 8]);
  });

  it('queued jobs never wait behind a long job while another worker is idle', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const shared = cells();
    const long = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'long');
    await waitForCell(shared, 0);
    // Some of these are handed to the blocked worker first; the idle one must take them back.
    const quick = Array.from({ length: 6 }, (_, i) => pool.submit(add, i, 1));
    expect(await Promise.all(quick)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(long.done()).toBe(false);
    setCell(shared, 1, 1);
    expect(await long).toBe('long');
  });

  it('the jobs submitted in one turn reach a worker in one message', async () => {
    const spy = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const jobs = Array.from({ length: 10 }, (_, i) => pool.submit(add, i, 1));
      expect(spy).not.toHaveBeenCalled(); // they leave once the turn's code is done
      expect(await Promise.all(jobs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('a busy worker is refilled in batches, not one message per job', async () => {
    const spy = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const count = 1000;
      const jobs = Array.from({ length: count }, (_, i) => pool.submit(add, i, 1));
      const results = await Promise.all(jobs);
      expect(results).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      // The first message fills the worker, each later one tops it up from REFILL_AT.
      const batches = 1 + Math.ceil((count - MAX_IN_FLIGHT) / (MAX_IN_FLIGHT - REFILL_AT));
      expect(spy.mock.calls.length).toBeLessThanOrEqual(batches);
    } finally {
      spy.mockRestore();
    }
  });

  it('jobs taken back from a stuck worker again and again never run twice', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const shared = cells();
    const long = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'long');
    await waitForCell(shared, 0);
    const buffer = new SharedArrayBuffer(4);
    let total = 0;
    // Each round hands the stuck worker a batch that the other one then takes back: far more
    // seqs than it has cancel slots pass through it before it checks any of them.
    for (let round = 0; round < 12; round++) {
      const jobs = Array.from({ length: 40 }, (_, i) => pool.submit(counted, buffer, i));
      expect(await Promise.all(jobs)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      total += 40;
    }
    setCell(shared, 1, 1);
    expect(await long).toBe('long');
    await pool.shutdown(); // the unblocked worker skips what was taken back
    expect(Atomics.load(new Int32Array(buffer), 0)).toBe(total);
  });

  it('idle workers end after idleTimeoutMs and a new one starts on demand', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1, idleTimeoutMs: 0 });
    const first = await pool.submit(threadOf);
    await expect.poll(() => String(pool)).toContain('workers=0');
    expect(await pool.submit(threadOf)).not.toBe(first);
  });

  describe('cancellation', () => {
    it('cancelling a queued job removes it: it never runs', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const shared = cells();
      const buffer = new SharedArrayBuffer(4);
      const counter = new Int32Array(buffer);
      const blocker = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'done');
      await waitForCell(shared, 0);
      const count = MAX_IN_FLIGHT + 4;
      const jobs = Array.from({ length: count }, (_, i) => pool.submit(counted, buffer, i));
      await Promise.resolve(); // the dispatch: the blocked worker gets all it can take
      expect(String(pool)).toContain('queued=5');
      // jobs[1] is in flight in the blocked worker, not begun; jobs.at(-1) is still in the queue.
      expect(jobs[1]?.cancel()).toBe(true);
      expect(jobs.at(-1)?.cancel()).toBe(true);
      setCell(shared, 1, 1);
      expect(await blocker).toBe('done');
      const rest = jobs.filter((_, i) => i !== 1 && i !== count - 1);
      expect(await Promise.all(rest)).toEqual(
        Array.from({ length: count }, (_, i) => i).filter((i) => i !== 1 && i !== count - 1),
      );
      expect(jobs[1]?.cancelled()).toBe(true);
      expect(jobs.at(-1)?.cancelled()).toBe(true);
      expect(Atomics.load(counter, 0)).toBe(count - 2);
    });

    it('with cancelGraceMs: 0, cancelling a running job terminates its worker at once; other workers go on', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 2, cancelGraceMs: 0 });
      const shared = cells();
      const buffer = shared.buffer as SharedArrayBuffer;
      const stuck = pool.submit(blockingJob, buffer, 0, 'never');
      const other = pool.submit(blockingJob, buffer, 2, 'other');
      const stuckThread = await waitForCell(shared, 0);
      const otherThread = await waitForCell(shared, 2);
      expect(stuckThread).not.toBe(otherThread);
      expect(stuck.cancel()).toBe(true);
      await expect(stuck).rejects.toBeInstanceOf(CancelledError);
      const fresh = await pool.submit(threadOf);
      expect([stuckThread, otherThread]).not.toContain(fresh);
      setCell(shared, 3, 1);
      expect(await other).toBe('other');
    });

    it('the jobs behind a cancelled running job run on the fresh worker', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const shared = cells();
      const stuck = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'never');
      const behind = Array.from({ length: 5 }, (_, i) => pool.submit(add, i, 10));
      await waitForCell(shared, 0);
      expect(stuck.cancel()).toBe(true);
      expect(await Promise.all(behind)).toEqual([10, 11, 12, 13, 14]);
    });

    it('cancelling the task awaiting a job cancels the job and frees its worker', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const shared = cells();
      const future = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'never');
      const task = createTask(() => future);
      await waitForCell(shared, 0);
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      expect(future.cancelled()).toBe(true);
      expect(await pool.submit(add, 1, 2)).toBe(3);
    });
  });

  describe('crashes', () => {
    it('process.exit in a job fails it with BrokenWorkerError (cause: the code); the pool goes on', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
      const shared = cells();
      const other = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'other');
      await waitForCell(shared, 0);
      const error = await pool
        .submit(function quit() {
          process.exit(3);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokenWorkerError);
      expect(isBrokenWorkerError(error)).toBe(true);
      expect((error as Error).message).toBe("The worker running 'quit' exited with code 3");
      expect((error as Error).cause).toBe(3);
      expect(await pool.submit(add, 2, 2)).toBe(4);
      setCell(shared, 1, 1);
      expect(await other).toBe('other');
    });

    it('an error thrown outside the job fails it with BrokenWorkerError (cause: that error)', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const error = await pool
        .submit(function later() {
          setImmediate(() => {
            throw new TypeError('boom');
          });
          return new Promise(() => undefined);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokenWorkerError);
      expect((error as Error).message).toBe("The worker running 'later' crashed: TypeError: boom");
      expect((error as Error).cause).toBeInstanceOf(TypeError);
      expect(await pool.submit(add, 2, 2)).toBe(4);
    });

    it('a worker out of memory under resourceLimits fails its job with BrokenWorkerError', async () => {
      await using pool = new WorkerPoolExecutor({
        maxWorkers: 1,
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      });
      const error = await pool
        .submit(() => {
          const hoard: number[][] = [];
          for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => i));
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokenWorkerError);
      expect(((error as Error).cause as { code: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
      expect(await pool.submit(add, 2, 2)).toBe(4);
    });

    it('jobs a crashed worker had not begun run on another worker', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const crash = pool.submit(() => process.exit(1));
      const after = [pool.submit(add, 1, 1), pool.submit(add, 2, 2)];
      await expect(crash).rejects.toBeInstanceOf(BrokenWorkerError);
      expect(await Promise.all(after)).toEqual([2, 4]);
    });
  });

  describe('shutdown()', () => {
    it('waits for running and queued jobs, then ends the workers', async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const jobs = Array.from({ length: 10 }, (_, i) => pool.submit(add, i, 0));
      await pool.shutdown();
      expect(jobs.map((j) => j.result())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(String(pool)).toBe('<WorkerPoolExecutor shut down workers=0 queued=0>');
    });

    it('{ wait: false } returns at once and lets the jobs finish', async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const shared = cells();
      const job = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'finished');
      await waitForCell(shared, 0);
      await pool.shutdown({ wait: false });
      expect(job.done()).toBe(false);
      setCell(shared, 1, 1);
      expect(await job).toBe('finished');
      await pool.shutdown();
      expect(String(pool)).toContain('workers=0');
    });

    it('{ cancelFutures: true } cancels the jobs not begun, and the running one by the ladder', async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1, cancelGraceMs: Infinity });
      const shared = cells();
      const running = pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'ran');
      await waitForCell(shared, 0);
      const waiting = Array.from({ length: 6 }, (_, i) => pool.submit(add, i, 0));
      const closed = pool.shutdown({ cancelFutures: true });
      expect(waiting.every((j) => j.cancelled())).toBe(true);
      expect(running.cancelled()).toBe(true);
      // The pool closes once the cancelled job has ended (here it may take forever to).
      let isClosed = false;
      void closed.then(() => (isClosed = true));
      expect(pool.stats().workers.map((w) => w.state)).toEqual(['stopping']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(isClosed).toBe(false);
      setCell(shared, 1, 1);
      await closed;
      expect(pool.stats()).toMatchObject({ cancelled: 7, completed: 0, workersStarted: 1 });
    });

    it('submit() after shutdown throws InvalidStateError; shutdown again is harmless', async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      await pool.shutdown();
      expect(() => pool.submit(add, 1, 2)).toThrow(InvalidStateError);
      await pool.shutdown();
    });

    it('await using shuts the pool down', async () => {
      let escaped: WorkerPoolExecutor | undefined;
      {
        await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
        escaped = pool;
        expect(await pool.submit(add, 1, 2)).toBe(3);
      }
      expect(() => escaped.submit(add, 1, 2)).toThrow(InvalidStateError);
    });
  });

  describe('misuse', () => {
    it('rejects bad options with RangeError', () => {
      expect(() => new WorkerPoolExecutor({ maxWorkers: 0 })).toThrow(
        "Cannot create WorkerPoolExecutor: 'maxWorkers' must be a positive integer, received 0",
      );
      expect(() => new WorkerPoolExecutor({ idleTimeoutMs: -1 })).toThrow(RangeError);
    });

    it('submit() rejects something that is not a function with TypeError', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      expect(() => pool.submit(42 as unknown as () => void)).toThrow(
        "submit: 'fn' must be a function or a workerFunction(), received number",
      );
    });

    it('workerFunction() rejects a relative path with TypeError', () => {
      expect(() => workerFunction('./jobs.js', 'add')).toThrow(TypeError);
    });
  });

  it('toString() shows the state, the workers and the queue', async () => {
    const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    expect(String(pool)).toBe('<WorkerPoolExecutor running workers=0 queued=0>');
    await pool.submit(add, 1, 1);
    expect(String(pool)).toBe('<WorkerPoolExecutor running workers=1 queued=0>');
    await pool.shutdown();
    expect(String(pool)).toBe('<WorkerPoolExecutor shut down workers=0 queued=0>');
  });
});
