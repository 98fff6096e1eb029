import { describe, expect, it, vi } from 'vitest';
import { fakeTimers } from '../../test/helpers.js';
import { timeout } from '../timeout.js';
import { Deadline, EXPIRE, schedule, unschedule } from './deadlines.js';

/** A deadline `ms` from now that logs its name when it passes. */
function deadline(name: string, ms: number, log: string[]): Deadline {
  return new Deadline(performance.now() + ms, {
    [EXPIRE]: () => {
      log.push(name);
    },
  });
}

describe('the shared deadline schedule', () => {
  it('fires a deadline already passed once the code running now has settled, before any timer, and none unscheduled first', async () => {
    const log: string[] = [];
    setTimeout(() => log.push('timer'), 0);
    schedule(deadline('passed', -1, log));
    const dropped = deadline('dropped', -1, log);
    schedule(dropped);
    unschedule(dropped);
    expect(log).toEqual([]);
    await Promise.resolve();
    // Not in a microtask: the reactions the running code set off settle first.
    expect(log).toEqual([]);
    await new Promise((resolve) => {
      process.nextTick(resolve);
    });
    expect(log).toEqual(['passed']);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(log).toEqual(['passed', 'timer']);
  });

  it('fires deadlines in the order of their time, each once, on one timer', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    for (const [name, ms] of [
      ['c', 30],
      ['a', 10],
      ['b', 20],
      ['a2', 10],
    ] as const) {
      schedule(deadline(name, ms, log));
    }
    expect(vi.getTimerCount()).toBe(1);
    await clock.advance(10);
    expect(log).toEqual(['a', 'a2']);
    await clock.advance(20);
    expect(log).toEqual(['a', 'a2', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms for a deadline earlier than the one armed for', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    schedule(deadline('late', 100, log));
    schedule(deadline('early', 5, log));
    await clock.advance(5);
    expect(log).toEqual(['early']);
    await clock.advance(95);
    expect(log).toEqual(['early', 'late']);
  });

  it('drops an unscheduled deadline, and clears the timer when none is left (fake timers)', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const a = deadline('a', 10, log);
    const b = deadline('b', 20, log);
    schedule(a);
    schedule(b);
    unschedule(a);
    unschedule(a); // twice: no effect
    expect(a.index).toBe(-1);
    await clock.advance(20);
    expect(log).toEqual(['b']);
    schedule(b); // again, after it fired
    unschedule(b);
    expect(vi.getTimerCount()).toBe(0);
    await clock.advance(100);
    expect(log).toEqual(['b']);
  });

  it('keeps order through many removals from the middle of the heap', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const delays = Array.from({ length: 50 }, (_, i) => (i * 7) % 50);
    const all = delays.map((ms, i) => deadline(String(i), ms, log));
    for (const d of all) schedule(d);
    for (const d of all.filter((_, i) => i % 3 === 0)) unschedule(d);
    await clock.advance(60);
    const kept = delays.filter((_, i) => i % 3 !== 0).sort((x, y) => x - y);
    // Deadlines that tie may fire in any order: compare their delays.
    expect(log.map((name) => delays[Number(name)])).toEqual(kept);
  });

  it('under real timers, holds the process open only while a deadline is pending', async () => {
    const timers = (): number =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    let during = -1;
    const value = await timeout(60_000, () => {
      during = timers();
      return 'in time';
    });
    expect(value).toBe('in time');
    expect(during).toBe(before + 1);
    // The idle timer may stay armed for a later deadline, but unreferenced.
    expect(timers()).toBe(before);
  });
});
