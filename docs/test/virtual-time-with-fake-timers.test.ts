// Shown on docs/guide/testing-with-virtual-time.md: corio on the virtual clock, another
// library's timers on vitest's fake timers, in one test.
import { afterEach, expect, it, vi } from 'vitest';
import { now, sleep } from '@corio/core';
import { withVirtualClock } from '@corio/core/testing';

// Another library's debounce, on plain setTimeout.
function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

afterEach(() => {
  vi.useRealTimers();
});

it('runs corio on the virtual clock and setTimeout on the fake one', async () => {
  // Fake what the other library uses; leave setImmediate real, so that
  // corio's sleep(0) stays a turn of the event loop.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const log: string[] = [];
  const save = debounce(() => log.push(`saved at ${String(now())}`), 100);

  await withVirtualClock(
    async () => {
      save();
      await sleep(60_000); // virtual: autojump, the fake timer is not seen
      log.push(`slept until ${String(now())}`);
      vi.advanceTimersByTime(100); // fake: only the debounce moves
      log.push(`then ${String(now())}`);
    },
    { autojump: true },
  );
  expect(log).toEqual(['slept until 60000', 'saved at 60000', 'then 60000']);
});
