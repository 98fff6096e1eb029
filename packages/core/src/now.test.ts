import { describe, expect, it, vi } from 'vitest';
import { fakeTimers } from '../test/helpers.js';
import { now } from './index.js';

describe('now', () => {
  it('returns a finite number of milliseconds', () => {
    const t = now();
    expect(typeof t).toBe('number');
    expect(Number.isFinite(t)).toBe(true);
    expect(t).toBeGreaterThanOrEqual(0);
  });

  it('never goes backwards', () => {
    let previous = now();
    for (let i = 0; i < 10_000; i++) {
      const t = now();
      expect(t).toBeGreaterThanOrEqual(previous);
      previous = t;
    }
  });

  it('is performance.now()', () => {
    const spy = vi.spyOn(performance, 'now').mockReturnValue(1234.5);
    try {
      expect(now()).toBe(1234.5);
      expect(spy).toHaveBeenCalledOnce();
    } finally {
      spy.mockRestore();
    }
  });

  it('does not follow the wall clock', () => {
    const spy = vi.spyOn(Date, 'now').mockReturnValue(0);
    try {
      expect(now()).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('advances with fake timers, in milliseconds', async () => {
    using clock = fakeTimers();
    const start = now();
    await clock.advance(250);
    expect(now() - start).toBe(250);
  });
});
