import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flushMicrotasks } from '../test/helpers.js';
import { CancelledError, Future, createTask, run, shield, sleep } from './index.js';

describe('shield', () => {
  it('passes the inner result to the outer', async () => {
    using clock = fakeTimers();
    const inner = createTask(() => sleep(10, 'saved'));
    const outer = shield(inner);
    expect(outer).not.toBe(inner);
    await clock.advance(10);
    expect(await outer).toBe('saved');
  });

  it('passes the inner error to the outer', async () => {
    const inner = new Future<number>();
    const outer = shield(inner);
    const boom = new Error('boom');
    inner.setException(boom);
    await expect(outer).rejects.toBe(boom);
    expect(outer.exception()).toBe(boom);
  });

  it('cancels the outer when the inner is cancelled', async () => {
    const inner = new Future<number>();
    const outer = shield(inner);
    inner.cancel();
    expect(outer.cancelled()).toBe(true);
    await expect(outer).rejects.toBeInstanceOf(CancelledError);
  });

  it('accepts a function, a task and a future', async () => {
    expect(await shield(() => 'function')).toBe('function');
    expect(await shield(createTask(() => 'task'))).toBe('task');
    const future = new Future<string>();
    future.setResult('future');
    expect(await shield(future)).toBe('future');
  });

  it('refuses a promise with a TypeError that says to pass a function', () => {
    const promise = Promise.resolve('begun');
    expect(() => shield(promise as unknown as Future<string>)).toThrow(
      new TypeError(
        "shield: 'aw' must be a function, Task or Future, received a Promise: the work behind a promise began in the caller's task and cannot be protected; pass () => work() instead",
      ),
    );
  });

  it("protects all of a function's work from the caller's cancellation, every await of it", async () => {
    const log: string[] = [];
    const committed = new Future<string>();
    const commit = async (): Promise<void> => {
      log.push('commit begins');
      await sleep(1);
      log.push('commit half-way');
      await sleep(1);
      log.push('commit done');
      committed.setResult('committed');
    };
    const caller = createTask(() => shield(() => commit()));
    await sleep(0);
    caller.cancel();
    await expect(caller).rejects.toBeInstanceOf(CancelledError);
    expect(await committed).toBe('committed');
    expect(log).toEqual(['commit begins', 'commit half-way', 'commit done']);
  });

  it('returns a future already done as it is', async () => {
    const inner = new Future<number>();
    inner.setResult(3);
    const outer = shield(inner);
    expect(outer).toBe(inner);
    expect(await outer).toBe(3);
  });

  it('cancelling the shield does not cancel the inner', async () => {
    using clock = fakeTimers();
    const inner = createTask(() => sleep(10, 'saved'));
    const outer = shield(inner);
    expect(outer.cancel()).toBe(true);
    expect(outer.cancelled()).toBe(true);
    await clock.advance(10);
    expect(inner.cancelled()).toBe(false);
    expect(await inner).toBe('saved');
  });

  it('cancelling the task awaiting it does not cancel the inner', async () => {
    using clock = fakeTimers();
    const inner = createTask(() => sleep(10, 'saved'));
    const caller = createTask(() => shield(inner));
    await clock.advance(1);
    caller.cancel('caller gone');
    await expect(caller).rejects.toThrow(new CancelledError('caller gone'));
    expect(caller.cancelled()).toBe(true);
    expect(inner.done()).toBe(false);
    await clock.advance(9);
    expect(inner.result()).toBe('saved');
  });

  it('the awaiting task can catch the cancel and still wait for the inner', async () => {
    using clock = fakeTimers();
    const inner = createTask(() => sleep(10, 'saved'));
    const caller = createTask(async () => {
      try {
        return await shield(inner);
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        return `after cancel: ${await inner}`;
      }
    });
    await clock.advance(1);
    caller.cancel();
    await clock.advance(9);
    expect(await caller).toBe('after cancel: saved');
  });

  it('does not report the inner error as never retrieved when the shield was cancelled', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.map(String).join(' '));
    });
    try {
      await run(async () => {
        const inner = new Future<number>();
        const outer = shield(inner);
        outer.cancel();
        inner.setException(new Error('shielded failure'));
        await flushMicrotasks();
        expect(inner.done()).toBe(true);
      });
    } finally {
      spy.mockRestore();
    }
    expect(errors.filter((e) => e.includes('shielded failure'))).toEqual([]);
  });

  it('throws a TypeError for a non-awaitable', () => {
    expect(() => shield(42 as unknown as Future<number>)).toThrow(/'aw'.*received 42/);
  });

  it('renders its state', () => {
    const inner = new Future<number>();
    const outer = shield(inner);
    expect(String(outer)).toBe('<Future pending>');
    inner.setResult(1);
    expect(String(outer)).toBe('<Future fulfilled result=1>');
  });
});
