import assert from 'node:assert/strict';
import { createTask, now, sleep, timeout } from '@corio/core';
import { withVirtualClock } from '@corio/core/testing';

// A heartbeat every 10 s, tested by moving the clock by hand.
await withVirtualClock(async (clock) => {
  const beats: number[] = [];
  const heart = createTask(async () => {
    for (;;) {
      await sleep(10_000);
      beats.push(now());
    }
  });
  await clock.advance(25_000); // fires the timers due on the way
  assert.deepEqual(beats, [10_000, 20_000]);
  assert.equal(now(), 25_000);
  heart.cancel();

  // Deadlines too: a timeout expires when the clock passes it.
  const slow = createTask(() => timeout(1_000, () => sleep(5_000)));
  await clock.advance(1_000);
  await assert.rejects(slow, { name: 'TimeoutError' });
  console.log(`beats at ${beats.join(', ')}; now ${String(now())}`);
});
