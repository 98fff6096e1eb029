import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { Barrier, BrokenBarrierError, CancelledError, createTask, sleep } from './index.js';
import type { Task } from './index.js';

/** A task that waits at the barrier and logs its index or the error's name. */
function party(barrier: Barrier, name: string, log: string[]): Task<number> {
  return createTask(async () => {
    try {
      const index = await barrier.wait();
      log.push(`${name}:${String(index)}`);
      return index;
    } catch (error) {
      log.push(`${name}:${(error as Error).name}`);
      throw error;
    }
  });
}

describe('Barrier', () => {
  it('wait() blocks until parties callers wait, then returns each its arrival index', async () => {
    const barrier = new Barrier(3);
    const log: string[] = [];
    const a = party(barrier, 'a', log);
    const b = party(barrier, 'b', log);
    await flushMicrotasks();
    expect(log).toEqual([]);
    expect(barrier.nWaiting).toBe(2);
    const c = party(barrier, 'c', log);
    expect(await Promise.all([a, b, c])).toEqual([0, 1, 2]);
    expect(log).toEqual(['c:2', 'a:0', 'b:1']);
    expect(barrier.nWaiting).toBe(0);
    expect(barrier.broken).toBe(false);
    expect(barrier.parties).toBe(3);
  });

  it('is reusable: the next group gets indices from 0 again', async () => {
    const barrier = new Barrier(2);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([barrier.wait(), barrier.wait()]);
      expect(results).toEqual([0, 1]);
    }
  });

  it('with one party, wait() returns 0 at once', async () => {
    const barrier = new Barrier(1);
    expect(await barrier.wait()).toBe(0);
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:0/1]>');
  });

  it('drains after letting a group through: a caller arriving meanwhile joins the next group', async () => {
    const barrier = new Barrier(2);
    const log: string[] = [];
    const a = party(barrier, 'a', log);
    await flushMicrotasks();
    const b = barrier.wait();
    expect(barrier.toString()).toBe('<Barrier [draining, waiters:0/2]>');
    const early = barrier.wait();
    expect(barrier.nWaiting).toBe(0);
    expect(await b).toBe(1);
    await a;
    await flushMicrotasks();
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:1/2]>');
    const late = barrier.wait();
    expect(await Promise.all([early, late])).toEqual([0, 1]);
  });

  it('a waiter cancelled while the group fills leaves it (as in asyncio) and the group completes without it', async () => {
    const barrier = new Barrier(3);
    const log: string[] = [];
    const a = party(barrier, 'a', log);
    const b = party(barrier, 'b', log);
    await flushMicrotasks();
    a.cancel();
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    expect(barrier.nWaiting).toBe(1);
    expect(barrier.broken).toBe(false);
    const c = party(barrier, 'c', log);
    await flushMicrotasks();
    expect(barrier.nWaiting).toBe(2);
    const d = party(barrier, 'd', log);
    expect(await Promise.all([b, c, d])).toEqual([0, 1, 2]);
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:0/3]>');
  });

  it('a waiter cancelled in the tick the group completes gets its index; the cancel comes next', async () => {
    const barrier = new Barrier(2);
    const log: string[] = [];
    const a = createTask(async () => {
      log.push(`a:${String(await barrier.wait())}`);
      await sleep(0);
      log.push('a not cancelled');
    });
    await flushMicrotasks();
    const b = barrier.wait();
    a.cancel();
    expect(await b).toBe(1);
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    expect(log).toEqual(['a:0']);
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:0/2]>');
  });

  it('wait({ signal }) rejects with the reason on abort and leaves the group', async () => {
    const barrier = new Barrier(2);
    const controller = new AbortController();
    const waiting = barrier.wait({ signal: controller.signal });
    expect(barrier.nWaiting).toBe(1);
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:0/2]>');
    expect(await Promise.all([barrier.wait(), barrier.wait()])).toEqual([0, 1]);
  });

  it('wait({ signal }) with an aborted signal rejects even as the last party, letting nobody through', async () => {
    const barrier = new Barrier(1);
    const reason = new Error('already');
    await expect(barrier.wait({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(barrier.nWaiting).toBe(0);
    expect(barrier.broken).toBe(false);
    expect(await barrier.wait()).toBe(0);
  });

  it('wait({ signal }) with an aborted signal rejects without joining', async () => {
    const barrier = new Barrier(3);
    const reason = new Error('already');
    await expect(barrier.wait({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(barrier.nWaiting).toBe(0);
  });

  it('a caller aborted at the door while draining leaves without joining', async () => {
    const barrier = new Barrier(2);
    const first = barrier.wait();
    const second = barrier.wait();
    const controller = new AbortController();
    const early = barrier.wait({ signal: controller.signal });
    controller.abort();
    await expect(early).rejects.toBeDefined();
    await Promise.all([first, second]);
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:0/2]>');
  });

  it('abort() breaks the barrier: waiters and later callers get BrokenBarrierError', async () => {
    const barrier = new Barrier(3);
    const log: string[] = [];
    const a = party(barrier, 'a', log);
    const b = party(barrier, 'b', log);
    await flushMicrotasks();
    barrier.abort();
    expect(barrier.broken).toBe(true);
    await expect(a).rejects.toThrow(new BrokenBarrierError('The barrier was aborted'));
    await expect(b).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(log).toEqual(['a:BrokenBarrierError', 'b:BrokenBarrierError']);
    await expect(barrier.wait()).rejects.toThrow(
      new BrokenBarrierError('Cannot call wait() on <Barrier [broken]>: it is broken'),
    );
    expect(barrier.nWaiting).toBe(0);
  });

  it('abort() sends away the callers waiting at the door too', async () => {
    const barrier = new Barrier(2);
    const first = barrier.wait();
    const second = barrier.wait();
    const early = barrier.wait();
    barrier.abort();
    await expect(early).rejects.toBeInstanceOf(BrokenBarrierError);
    // The group already let through keeps its indices.
    expect(await Promise.all([first, second])).toEqual([0, 1]);
    expect(barrier.broken).toBe(true);
  });

  it('reset() sends the waiters away with BrokenBarrierError and fills again', async () => {
    const barrier = new Barrier(3);
    const log: string[] = [];
    const a = party(barrier, 'a', log);
    await flushMicrotasks();
    barrier.reset();
    expect(barrier.toString()).toBe('<Barrier [resetting, waiters:0/3]>');
    expect(barrier.broken).toBe(false);
    await expect(a).rejects.toThrow(new BrokenBarrierError('The barrier was reset'));
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:0/3]>');
    expect(await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()])).toEqual([0, 1, 2]);
  });

  it('a caller arriving while the barrier resets waits for it to fill again', async () => {
    const barrier = new Barrier(2);
    const a = barrier.wait();
    barrier.reset();
    const b = barrier.wait();
    expect(barrier.nWaiting).toBe(0);
    await expect(a).rejects.toBeInstanceOf(BrokenBarrierError);
    await flushMicrotasks();
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:1/2]>');
    expect(await Promise.all([b, barrier.wait()])).toEqual([0, 1]);
  });

  it('reset() of an empty or broken barrier makes it usable at once', async () => {
    const barrier = new Barrier(2);
    barrier.reset();
    expect(barrier.toString()).toBe('<Barrier [filling, waiters:0/2]>');
    barrier.abort();
    barrier.reset();
    expect(barrier.broken).toBe(false);
    expect(await Promise.all([barrier.wait(), barrier.wait()])).toEqual([0, 1]);
  });

  it('new Barrier() throws RangeError naming a bad parties', () => {
    expect(() => new Barrier(0)).toThrow(
      new RangeError("Cannot create Barrier: 'parties' must be a positive integer, received 0"),
    );
    expect(() => new Barrier(1.5)).toThrow(
      new RangeError("Cannot create Barrier: 'parties' must be a positive integer, received 1.5"),
    );
    expect(() => new Barrier(NaN)).toThrow(RangeError);
    expect(() => new Barrier(Infinity)).toThrow(RangeError);
  });

  it('renders its state with toString() and inspect', async () => {
    const barrier = new Barrier(3);
    expect(String(barrier)).toBe('<Barrier [filling, waiters:0/3]>');
    const waiting = barrier.wait();
    expect(inspect(barrier)).toBe('<Barrier [filling, waiters:1/3]>');
    barrier.abort();
    expect(inspect(barrier)).toBe('<Barrier [broken]>');
    await expect(waiting).rejects.toBeInstanceOf(BrokenBarrierError);
  });
});
