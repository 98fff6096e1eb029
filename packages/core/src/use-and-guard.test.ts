// use(fn) and guard() of the permit primitives wait on their own wait (no promise is made for
// others to cancel it by, unlike acquire()): these are the races and cancellations of that wait.
import { describe, expect, it, vi } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { BoundedSemaphore, CancelledError, Future, Lock, Semaphore, createTask } from './index.js';

interface Permits {
  acquire(): Promise<true>;
  release(): void;
  use<T>(fn: () => T | PromiseLike<T>, options?: { signal?: AbortSignal }): Promise<T>;
  guard(options?: { signal?: AbortSignal }): Promise<Disposable>;
  toString(): string;
}

const primitives: [string, () => Permits][] = [
  ['Semaphore', () => new Semaphore(1)],
  ['BoundedSemaphore', () => new BoundedSemaphore(1)],
  ['Lock', () => new Lock()],
];

/** Whether the primitive is free: nobody holds it and nobody waits. */
const free = (prim: Permits): boolean => /unlocked(, value:1)?\]>$/.test(prim.toString());

/** The two ways of holding a permit for a while: `hold()` runs while it is held. */
const takes: [string, (prim: Permits, hold: () => unknown) => Promise<unknown>][] = [
  ['use()', (prim, hold) => prim.use(hold)],
  [
    'guard()',
    async (prim, hold) => {
      using _ = await prim.guard();
      hold();
    },
  ],
];

describe.each(primitives)('%s: use() and guard()', (name, make) => {
  // Two waiters, b then c; b is cancelled in the tick of the release, before it or after it.
  it.each(
    takes.flatMap(([how, take]) =>
      (['after', 'before'] as const).map((when) => [how, when, take] as const),
    ),
  )(
    '%s: a waiter cancelled %s the release never holds it; the next one does',
    async (_, when, take) => {
      const prim = make();
      await prim.acquire();
      const log: string[] = [];
      const b = createTask(() => take(prim, () => log.push('b held')));
      const c = createTask(() => take(prim, () => log.push('c held')));
      await flushMicrotasks();
      expect(prim.toString()).toMatch(/waiters:2/);
      if (when === 'after') {
        prim.release();
        b.cancel();
      } else {
        b.cancel();
        prim.release();
      }
      await expect(b).rejects.toBeInstanceOf(CancelledError);
      await c;
      expect(log).toEqual(['c held']);
      expect(free(prim), prim.toString()).toBe(true);
    },
  );

  it.each(takes)(
    '%s: a lone waiter cancelled in the tick of release() leaves it free',
    async (_, take) => {
      const prim = make();
      await prim.acquire();
      const fn = vi.fn();
      const b = createTask(() => take(prim, fn));
      await flushMicrotasks();
      prim.release();
      b.cancel();
      await expect(b).rejects.toBeInstanceOf(CancelledError);
      expect(fn).not.toHaveBeenCalled();
      expect(free(prim), prim.toString()).toBe(true);
    },
  );

  it('use() and guard() throw CancelledError at once for a cancel already pending', async () => {
    const prim = make();
    await prim.acquire();
    const fn = vi.fn();
    const outcomes: string[] = [];
    const task = createTask(async () => {
      for (const wait of [() => prim.use(fn), () => prim.guard()]) {
        task.cancel(); // from its own code: pending until its next corio wait
        try {
          await wait();
        } catch (error) {
          outcomes.push((error as Error).name);
        }
      }
    });
    await task;
    expect(outcomes).toEqual(['CancelledError', 'CancelledError']);
    expect(fn).not.toHaveBeenCalled();
    expect(prim.toString()).not.toMatch(/waiters/);
    prim.release();
    expect(free(prim), prim.toString()).toBe(true);
  });

  it('use(fn, { signal }) aborted while it waits rejects with the reason and never runs fn', async () => {
    const prim = make();
    await prim.acquire();
    const fn = vi.fn();
    const controller = new AbortController();
    const waiting = prim.use(fn, { signal: controller.signal });
    const reason = new Error(`${name}: gave up`);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(prim.toString()).not.toMatch(/waiters/);
    prim.release();
    expect(fn).not.toHaveBeenCalled();
    expect(free(prim), prim.toString()).toBe(true);
  });

  it.each(takes)(
    '%s waiting in a callback a task set up is cancelled with the task',
    async (_, take) => {
      const prim = make();
      await prim.acquire();
      const fn = vi.fn();
      let waiting: Promise<unknown> | undefined;
      const task = createTask(async () => {
        await new Promise<void>((resolve) => {
          setImmediate(() => {
            waiting = take(prim, fn);
            resolve();
          });
        });
        await new Future(); // holds the task open until it is cancelled
      });
      await flushMicrotasks(); // the task has started and set up its callback
      await new Promise((resolve) => setImmediate(resolve));
      expect(prim.toString()).toMatch(/waiters:1/);
      task.cancel();
      await expect(waiting).rejects.toBeInstanceOf(CancelledError);
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      expect(prim.toString()).not.toMatch(/waiters/);
      prim.release();
      expect(fn).not.toHaveBeenCalled();
      expect(free(prim), prim.toString()).toBe(true);
    },
  );
});
