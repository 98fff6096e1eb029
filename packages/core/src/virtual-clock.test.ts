import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ALL_COMPLETED,
  CancelledError,
  Event,
  InvalidStateError,
  Queue,
  asCompleted,
  createTask,
  now,
  sleep,
  timeout,
  timeoutAt,
  wait,
  waitFor,
} from './index.js';
import { withVirtualClock } from './testing.js';
import { rejection } from '../test/helpers.js';

describe('VirtualClock', () => {
  it('advance() fires the timers in deadline order, those of one deadline in the order set', async () => {
    await withVirtualClock(async (clock) => {
      const log: string[] = [];
      const at = (name: string, ms: number) =>
        createTask(async () => {
          await sleep(ms);
          log.push(`${name}@${String(now())}`);
        });
      const tasks = [at('c', 30), at('a1', 10), at('b', 20), at('a2', 10)];
      await clock.advance(25);
      expect(log).toEqual(['a1@10', 'a2@10', 'b@20']);
      expect(now()).toBe(25);
      await clock.advance(5);
      expect(log).toEqual(['a1@10', 'a2@10', 'b@20', 'c@30']);
      await Promise.all(tasks);
    });
  });

  it('advance() lets the code a timer woke run before the next timer, sleep(0) included', async () => {
    await withVirtualClock(async (clock) => {
      const log: string[] = [];
      const tasks = [
        createTask(async () => {
          await sleep(10);
          log.push(`woken@${String(now())}`);
          await sleep(0);
          await sleep(0);
          await sleep(5);
          log.push(`again@${String(now())}`);
        }),
        createTask(async () => {
          await sleep(20);
          log.push(`later@${String(now())}`);
        }),
      ];
      await clock.advance(100);
      expect(log).toEqual(['woken@10', 'again@15', 'later@20']);
      expect(now()).toBe(100);
      await Promise.all(tasks);
    });
  });

  it('moves only when told: nothing fires before its deadline, sleep(0) needs no advance', async () => {
    await withVirtualClock(async (clock) => {
      const task = createTask(() => sleep(1_000, 'done'));
      await sleep(0);
      await clock.advance(0);
      await clock.advance(999);
      expect(task.done()).toBe(false);
      expect(clock.nextDeadline()).toBe(1_000);
      await clock.advance(1);
      expect(await task).toBe('done');
      expect(clock.nextDeadline()).toBeNull();
    });
  });

  it('runs every corio timer: timeout, timeoutAt, waitFor, wait and asCompleted timeouts', async () => {
    await withVirtualClock(
      async () => {
        const log: string[] = [];
        const never = new Event();
        const note = (name: string) => (error: unknown) => {
          log.push(`${name}: ${(error as Error).name}@${String(now())}`);
        };
        await timeout(100, () => never.wait()).catch(note('timeout'));
        await timeoutAt(now() + 50, () => never.wait()).catch(note('timeoutAt'));
        await waitFor(new Queue().get(), 25).catch(note('waitFor'));
        const pending = createTask(() => never.wait());
        const waited = await wait([pending], { timeout: 10, returnWhen: ALL_COMPLETED });
        log.push(`wait: ${String(waited.pending.size)} pending@${String(now())}`);
        try {
          for await (const done of asCompleted([pending], { timeout: 5 })) log.push(String(done));
        } catch (error) {
          note('asCompleted')(error);
        }
        await timeout(1_000, async (scope) => {
          scope.reschedule(now() + 1);
          await never.wait();
        }).catch(note('reschedule'));
        pending.cancel();
        await rejection(pending);
        return log;
      },
      { autojump: true },
    ).then((log) => {
      expect(log).toEqual([
        'timeout: TimeoutError@100',
        'timeoutAt: TimeoutError@150',
        'waitFor: TimeoutError@175',
        'wait: 1 pending@185',
        'asCompleted: TimeoutError@190',
        'reschedule: TimeoutError@191',
      ]);
    });
  });

  it('honours delays above 2^31-1 ms; Infinity never falls due', async () => {
    await withVirtualClock(async (clock) => {
      const long = createTask(() => sleep(2 ** 40, 'long'));
      const forever = createTask(() => sleep(Infinity));
      await clock.advance(2 ** 40 - 1);
      expect(long.done()).toBe(false);
      await clock.advance(1);
      expect(await long).toBe('long');
      expect(clock.nextDeadline()).toBeNull();
      forever.cancel();
      expect(await rejection(forever)).toBeInstanceOf(CancelledError);
    });
  });

  it('a sleep cancelled in the same turn as the advance past it is cancelled, its timer gone', async () => {
    await withVirtualClock(async (clock) => {
      const task = createTask(() => sleep(10, 'slept'));
      await sleep(0);
      const advanced = clock.advance(10);
      task.cancel();
      await advanced;
      expect(await rejection(task)).toBeInstanceOf(CancelledError);
      expect(clock.nextDeadline()).toBeNull();
      expect(clock.toString()).toBe('<VirtualClock now=10.0 timers:0>');
    });
  });

  it('a task cancelled by the timer before its own, of the same deadline, ends cancelled', async () => {
    await withVirtualClock(async (clock) => {
      const log: string[] = [];
      // Tasks start in creation order: the killer's timer is set first, so it fires first.
      const killer = createTask(async () => {
        await sleep(10);
        victim.cancel();
      });
      const victim = createTask(async () => {
        try {
          await sleep(10);
          log.push('victim woke');
        } catch (error) {
          log.push(`victim: ${(error as Error).name}@${String(now())}`);
          throw error;
        }
      });
      await clock.advance(10);
      await killer;
      expect(await rejection(victim)).toBeInstanceOf(CancelledError);
      expect(log).toEqual(['victim: CancelledError@10']);
      expect(clock.toString()).toBe('<VirtualClock now=10.0 timers:0>');
    });
  });

  it('advance() refuses a negative, NaN or infinite ms, a non-number, and a second advance at once', async () => {
    await withVirtualClock(async (clock) => {
      await expect(clock.advance(-1)).rejects.toThrow(
        new RangeError(
          "VirtualClock.advance: 'ms' must be a finite number, 0 or more, received -1",
        ),
      );
      await expect(clock.advance(NaN)).rejects.toThrow(RangeError);
      await expect(clock.advance(Infinity)).rejects.toThrow(RangeError);
      await expect(clock.advance('1' as unknown as number)).rejects.toThrow(
        new TypeError(`VirtualClock.advance: 'ms' must be a number of milliseconds, received "1"`),
      );
      const first = clock.advance(10);
      await expect(clock.advance(10)).rejects.toThrow(InvalidStateError);
      await first;
      expect(now()).toBe(10);
    });
  });

  it('renders its time and pending timers through toString() and util.inspect', async () => {
    let kept: { toString(): string } | undefined;
    await withVirtualClock(
      async (clock) => {
        kept = clock;
        expect(clock.toString()).toBe('<VirtualClock now=5.0 timers:0>');
        const task = createTask(() => sleep(10));
        await sleep(0);
        expect(inspect(clock)).toBe('<VirtualClock now=5.0 timers:1>');
        await clock.advance(10);
        await task;
      },
      { start: 5 },
    );
    expect(String(kept)).toBe('<VirtualClock retired now=15.0 timers:0>');
  });
});
