import { Worker } from 'node:worker_threads';
import { CancelledError, Future, InvalidStateError, createTask } from '@corio/core';
import { WorkerPoolExecutor } from '@corio/executor';
import { describe, expect, it, vi } from 'vitest';
import { MAX_ADAPTIVE_CHUNK } from '../src/internal/chunk-sizer.js';
import { cells, waitForCell } from './helpers.js';
import { liveWorkerThreads } from './leak-check.js';

const square = (n: number): number => n * n;

/** Collects an async iterable. */
async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** Lets the event loop turn a few times (worker messages, timers at 0 ms). */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The map() chunks the pool posted to its workers, from the batches seen by a postMessage spy. */
function postedChunks(spy: { mock: { calls: unknown[][] } }): unknown[][] {
  const chunks: unknown[][] = [];
  for (const [message] of spy.mock.calls) {
    const jobs = (message as { jobs: unknown[] }).jobs;
    for (let i = 0; i < jobs.length; i += 2) {
      if ((jobs[i] as number) < 0) chunks.push(jobs[i + 1] as unknown[]);
    }
  }
  return chunks;
}

/** 0, 1, 2, ... for ever; `pulled` counts the items read and `closed` says if it was closed. */
function counted(): { items: Generator<number>; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;
  function* items(): Generator<number> {
    try {
      for (let n = 0; ; n++) {
        pulled = n + 1;
        yield n;
      }
    } finally {
      closed = true;
    }
  }
  return { items: items(), pulled: () => pulled, closed: () => closed };
}

/**
 * An item for `control`: `ok` returns `value`; `fail` throws a RangeError; `block` reports in
 * cells[slot] and waits until cells[slot + 1] is set.
 */
interface Item {
  kind: 'ok' | 'fail' | 'block';
  value: number;
  buffer?: SharedArrayBuffer;
  slot?: number;
}

function control(item: Item): number {
  if (item.kind === 'fail') throw new RangeError(`item ${String(item.value)} failed`);
  if (item.kind === 'block' && item.buffer !== undefined && item.slot !== undefined) {
    const shared = new Int32Array(item.buffer);
    Atomics.store(shared, item.slot, 1);
    Atomics.notify(shared, item.slot);
    Atomics.wait(shared, item.slot + 1, 0);
  }
  return item.value;
}

describe('WorkerPoolExecutor.map', () => {
  it('yields the results in input order whatever each job takes', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 3 });
    // Earlier items sleep longer, so later ones finish first.
    const slow = (n: number): number => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ((20 - n) % 4) * 3);
      return n;
    };
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(await collect(pool.map(slow, items))).toEqual(items);
    expect(await collect(pool.map(slow, items, { chunkSize: 3, bufferSize: 2 }))).toEqual(items);
  });

  it('runs the function in the workers', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const main = (await import('node:worker_threads')).threadId;
    const threadOf = async (_: number): Promise<number> =>
      (await import('node:worker_threads')).threadId;
    const threads = await collect(pool.map(threadOf, [1, 2, 3, 4]));
    expect(threads).toHaveLength(4);
    expect(threads).not.toContain(main);
  });

  it('sends chunkSize items per job, and each job answers with its chunk', async () => {
    const spy = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      // One worker, so no job is taken back and sent twice.
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const items = Array.from({ length: 10 }, (_, i) => i);
      expect(await collect(pool.map(square, items, { chunkSize: 3, bufferSize: 4 }))).toEqual(
        items.map((i) => i * i),
      );
      // Four jobs of up to 3 items, all in one message.
      expect(postedChunks(spy)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('reads the iterable lazily: at most bufferSize chunks ahead of the consumer', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    let pulled = 0;
    function* naturals(): Generator<number> {
      for (let n = 0; ; n++) {
        pulled = n + 1;
        yield n;
      }
    }
    const results = pool.map(square, naturals(), { chunkSize: 2, bufferSize: 3 });
    expect(pulled).toBe(0); // nothing is read before the first next()
    expect(await results.next()).toEqual({ done: false, value: 0 });
    expect(pulled).toBe(6); // 3 chunks of 2
    await turns(); // the jobs finish; a paused consumer reads nothing more
    expect(pulled).toBe(6);
    let consumed = 1;
    let widest = 0;
    for await (const value of results) {
      consumed++;
      widest = Math.max(widest, pulled - consumed);
      expect(value).toBe((consumed - 1) ** 2);
      if (consumed === 50) break;
    }
    expect(widest).toBeLessThanOrEqual(3 * 2);
    expect(pulled).toBeLessThanOrEqual(50 + 3 * 2);
  });

  it('takes an async iterable', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    async function* slowly(): AsyncGenerator<number> {
      for (let n = 1; n <= 7; n++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        yield n;
      }
    }
    expect(await collect(pool.map(square, slowly(), { chunkSize: 2 }))).toEqual([
      1, 4, 9, 16, 25, 36, 49,
    ]);
  });

  it('an empty iterable yields nothing and starts no worker', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    expect(await collect(pool.map(square, []))).toEqual([]);
    expect(String(pool)).toBe('<WorkerPoolExecutor running workers=0 queued=0>');
  });

  it('an item error is thrown at its position, with the results before it', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const items: Item[] = Array.from({ length: 9 }, (_, i) => ({
      kind: i === 4 ? 'fail' : 'ok',
      value: i,
    }));
    const seen: number[] = [];
    const error = await (async () => {
      for await (const value of pool.map(control, items, { chunkSize: 3 })) seen.push(value);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('item 4 failed');
    expect((error as Error).stack).toContain('control');
  });

  it('an item error cancels the outstanding jobs, stopping a running one', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const shared = cells();
    const buffer = shared.buffer as SharedArrayBuffer;
    const items: Item[] = [
      { kind: 'ok', value: 0 },
      { kind: 'fail', value: 1 },
      { kind: 'block', value: 2, buffer, slot: 0 },
    ];
    const results = pool.map(control, items, { bufferSize: 3 });
    expect(await results.next()).toEqual({ done: false, value: 0 });
    await waitForCell(shared, 0); // item 2 is running
    await expect(results.next()).rejects.toThrow('item 1 failed');
    // Its worker was terminated: the pool ends without the job ever being released.
    await pool.shutdown();
    expect(liveWorkerThreads()).toEqual([]);
    expect(await results.next()).toEqual({ done: true, value: undefined });
  });

  it('leaving the loop early cancels the outstanding jobs', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const shared = cells();
    const buffer = shared.buffer as SharedArrayBuffer;
    let closed = false;
    function* items(): Generator<Item> {
      try {
        yield { kind: 'ok', value: 0 };
        yield { kind: 'block', value: 1, buffer, slot: 0 };
        for (let n = 2; ; n++) yield { kind: 'ok', value: n };
      } finally {
        closed = true;
      }
    }
    for await (const value of pool.map(control, items(), { bufferSize: 4 })) {
      expect(value).toBe(0);
      await waitForCell(shared, 0); // item 1 runs, items 2 and 3 are queued or done
      break;
    }
    expect(closed).toBe(true); // the source was closed too
    await pool.shutdown(); // item 1's worker was terminated: nothing waits for it
    expect(liveWorkerThreads()).toEqual([]);
  });

  it('cancelling the consuming task cancels the outstanding jobs', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const shared = cells();
    const buffer = shared.buffer as SharedArrayBuffer;
    const items: Item[] = [
      { kind: 'block', value: 0, buffer, slot: 0 },
      { kind: 'ok', value: 1 },
    ];
    const task = createTask(async () => {
      const seen: number[] = [];
      for await (const value of pool.map(control, items)) seen.push(value);
      return seen;
    });
    await waitForCell(shared, 0);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    await pool.shutdown(); // the blocked job's worker was terminated
    expect(liveWorkerThreads()).toEqual([]);
  });

  it('aborting the signal cancels the outstanding jobs and rejects with its reason', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const shared = cells();
    const buffer = shared.buffer as SharedArrayBuffer;
    const controller = new AbortController();
    const items: Item[] = [{ kind: 'block', value: 0, buffer, slot: 0 }];
    const results = pool.map(control, items, {
      signal: controller.signal,
    });
    const next = results.next();
    await waitForCell(shared, 0);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    // Aborted while the consumer holds a value: the next call rejects.
    const held = new AbortController();
    const more = pool.map(square, [1, 2, 3], { chunkSize: 3, signal: held.signal });
    expect(await more.next()).toEqual({ done: false, value: 1 });
    held.abort(reason);
    await expect(more.next()).rejects.toBe(reason);
    const late = pool.map(square, [1], { signal: AbortSignal.abort(reason) });
    await expect(late.next()).rejects.toBe(reason);
    await pool.shutdown();
    expect(liveWorkerThreads()).toEqual([]);
  });

  it('finishes the jobs before shutdown() ends the pool when consumed to the end', async () => {
    const pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const results = collect(pool.map(square, [1, 2, 3], { chunkSize: 2 }));
    expect(await results).toEqual([1, 4, 9]);
    await pool.shutdown();
    expect(String(pool)).toBe('<WorkerPoolExecutor shut down workers=0 queued=0>');
  });

  it('every chunk answers once while idle workers keep taking jobs back from busy ones', async () => {
    // Each chunk is tiny, so a worker that runs dry takes back the chunks the other has not begun
    // over and over: the worker's claim and the pool's take-back race for the same job all along.
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const addOne = (i: number): number => i + 1;
    const inputs = Array.from({ length: 20_000 }, (_, i) => i);
    for (let run = 0; run < 10; run++) {
      let sum = 0;
      for await (const value of pool.map(addOne, inputs, { chunkSize: 64 })) sum += value;
      expect(sum).toBe((20_000 * 20_001) / 2);
    }
  });

  it('next() calls made without waiting get the values in order, then the end', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
    const results = pool.map(square, [1, 2, 3, 4, 5, 6, 7], { chunkSize: 3 });
    const steps = await Promise.all(Array.from({ length: 9 }, () => results.next()));
    expect(steps).toEqual([
      ...[1, 4, 9, 16, 25, 36, 49].map((value) => ({ done: false, value })),
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it('return() ends the results at once, though their chunk is not all handed out', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const source = counted();
    const results = pool.map(square, source.items, { chunkSize: 4 });
    expect(await results.next()).toEqual({ done: false, value: 0 });
    expect(await results.return?.()).toEqual({ done: true, value: undefined });
    expect(source.closed()).toBe(true);
    expect(await results.next()).toEqual({ done: true, value: undefined });
  });

  it('like an async generator, the results close the source when disposed', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const source = counted();
    {
      await using results = pool.map(square, source.items) as AsyncIterableIterator<number> &
        AsyncDisposable;
      expect(await results.next()).toEqual({ done: false, value: 0 });
    }
    expect(source.closed()).toBe(true);
  });

  describe('default chunk size', () => {
    const many = Array.from({ length: 5000 }, (_, i) => i);

    it('yields what chunkSize 1 yields, in order, from a sync or an async iterable', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
      const expected = many.map(square);
      expect(await collect(pool.map(square, many, { chunkSize: 1 }))).toEqual(expected);
      expect(await collect(pool.map(square, many))).toEqual(expected);
      async function* quickly(): AsyncGenerator<number> {
        for (const n of many) yield await Promise.resolve(n);
      }
      expect(await collect(pool.map(square, quickly()))).toEqual(expected);
      // A source that gives an item per turn of the event loop.
      async function* slowly(): AsyncGenerator<number> {
        for (const n of many.slice(0, 200)) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          yield n;
        }
      }
      expect(await collect(pool.map(square, slowly()))).toEqual(expected.slice(0, 200));
    });

    it('yields the results of an endless iterable in order', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
      const source = counted();
      const seen: number[] = [];
      for await (const value of pool.map(square, source.items)) {
        seen.push(value);
        if (seen.length === 5000) break;
      }
      expect(seen).toEqual(many.map(square));
      expect(source.closed()).toBe(true);
    });

    it('sends each item once and in order, one at first, the chunks at most doubling', async () => {
      const spy = vi.spyOn(Worker.prototype, 'postMessage');
      try {
        // One worker, so no job is taken back and sent twice.
        await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
        const items = Array.from({ length: 20_000 }, (_, i) => i);
        expect(await collect(pool.map(square, items, { bufferSize: 3 }))).toEqual(
          items.map(square),
        );
        const chunks = postedChunks(spy);
        expect(chunks.flat()).toEqual(items);
        const sizes = chunks.map((chunk) => chunk.length);
        // Nothing is known of the items before the first result: one item a chunk.
        expect(sizes.slice(0, 3)).toEqual([1, 1, 1]);
        for (let i = 1; i < sizes.length; i++) {
          expect(sizes[i]).toBeLessThanOrEqual(
            Math.min(MAX_ADAPTIVE_CHUNK, 2 * Math.max(...sizes.slice(0, i))),
          );
        }
      } finally {
        spy.mockRestore();
      }
    });

    it('items slower than a chunk of work travel one per job', async () => {
      const spy = vi.spyOn(Worker.prototype, 'postMessage');
      try {
        await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
        // 3 ms an item, over the 1 ms a chunk is meant to take.
        const slow = (n: number): number => {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3);
          return n;
        };
        const items = Array.from({ length: 12 }, (_, i) => i);
        expect(await collect(pool.map(slow, items))).toEqual(items);
        expect(postedChunks(spy)).toEqual(items.map((i) => [i]));
      } finally {
        spy.mockRestore();
      }
    });

    it('reads at most bufferSize chunks of at most MAX_ADAPTIVE_CHUNK items ahead', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
      const source = counted();
      const results = pool.map(square, source.items, { bufferSize: 3 });
      expect(source.pulled()).toBe(0); // nothing is read before the first next()
      expect(await results.next()).toEqual({ done: false, value: 0 });
      expect(source.pulled()).toBe(3); // 3 chunks of 1
      await turns(); // the jobs finish; a paused consumer reads nothing more
      expect(source.pulled()).toBe(3);
      let consumed = 1;
      let widest = 0;
      for await (const value of results) {
        expect(value).toBe(consumed ** 2);
        consumed++;
        widest = Math.max(widest, source.pulled() - consumed);
        if (consumed === 10_000) break;
      }
      expect(widest).toBeLessThanOrEqual(3 * MAX_ADAPTIVE_CHUNK);
      expect(source.pulled()).toBeLessThanOrEqual(10_000 + 3 * MAX_ADAPTIVE_CHUNK);
      expect(source.closed()).toBe(true);
    });

    it('an item error is thrown at its position and closes the source', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
      let closed = false;
      function* items(): Generator<Item> {
        try {
          for (let n = 0; ; n++) yield { kind: n === 3001 ? 'fail' : 'ok', value: n };
        } finally {
          closed = true;
        }
      }
      const seen: number[] = [];
      const error = await (async () => {
        for await (const value of pool.map(control, items())) seen.push(value);
      })().catch((e: unknown) => e);
      expect(seen).toEqual(Array.from({ length: 3001 }, (_, i) => i));
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe('item 3001 failed');
      expect(closed).toBe(true);
      await pool.shutdown();
      expect(liveWorkerThreads()).toEqual([]);
    });

    it('cancelling the consuming task mid-stream cancels the rest and closes the source', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
      const source = counted();
      const reached = new Future<undefined>();
      let consumed = 0;
      const task = createTask(async () => {
        for await (const _ of pool.map(square, source.items)) {
          if (++consumed === 3000) reached.setResult(undefined);
        }
      });
      await reached;
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      expect(source.closed()).toBe(true);
      expect(source.pulled()).toBeLessThanOrEqual(consumed + 2 * 2 * MAX_ADAPTIVE_CHUNK);
      await pool.shutdown();
      expect(liveWorkerThreads()).toEqual([]);
    });

    it('aborting the signal mid-stream rejects with its reason and closes the source', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
      const source = counted();
      const controller = new AbortController();
      const reason = new Error('stop');
      let consumed = 0;
      const error = await (async () => {
        for await (const _ of pool.map(square, source.items, { signal: controller.signal })) {
          if (++consumed === 3000) controller.abort(reason);
        }
      })().catch((e: unknown) => e);
      expect(error).toBe(reason);
      expect(consumed).toBe(3000);
      expect(source.closed()).toBe(true);
      await pool.shutdown();
      expect(liveWorkerThreads()).toEqual([]);
    });

    it('an explicit chunkSize 1 sends one item per job', async () => {
      const spy = vi.spyOn(Worker.prototype, 'postMessage');
      try {
        await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
        const items = Array.from({ length: 300 }, (_, i) => i);
        expect(await collect(pool.map(square, items, { chunkSize: 1 }))).toEqual(items.map(square));
        expect(postedChunks(spy)).toEqual(items.map((i) => [i]));
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('misuse', () => {
    it('rejects a bad chunkSize or bufferSize with RangeError naming it', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      expect(() => pool.map(square, [1], { chunkSize: 0 })).toThrow(
        new RangeError("Cannot map: 'chunkSize' must be a positive integer, received 0"),
      );
      expect(() => pool.map(square, [1], { chunkSize: 1.5 })).toThrow(RangeError);
      expect(() => pool.map(square, [1], { bufferSize: -1 })).toThrow(
        new RangeError("Cannot map: 'bufferSize' must be a positive integer, received -1"),
      );
    });

    it('rejects something that is not iterable, or not a function, with TypeError', async () => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      expect(() => pool.map(square, 42 as unknown as number[])).toThrow(
        new TypeError(
          "Cannot map: 'iterable' must be an iterable or an async iterable, received number",
        ),
      );
      expect(() => pool.map(null as unknown as typeof square, [1])).toThrow(
        "map: 'fn' must be a function or a workerFunction(), received null",
      );
    });

    it('throws InvalidStateError after shutdown()', async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      await pool.shutdown();
      expect(() => pool.map(square, [1])).toThrow(InvalidStateError);
    });
  });
});
