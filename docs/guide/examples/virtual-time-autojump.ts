import { TimeoutError, now, sleep, timeout } from '@corio/core';
import { withVirtualClock } from '@corio/core/testing';

// Polls a job every 2 s, for at most 7 s. With autojump, time jumps
// to the next deadline whenever every task waits: 7 simulated
// seconds take a few real milliseconds, and the log never changes.
const log = await withVirtualClock(
  async () => {
    const log: string[] = [];
    try {
      await timeout(7_000, async () => {
        for (;;) {
          await sleep(2_000);
          log.push(`poll at ${String(now())} ms`);
        }
      });
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      log.push(`gave up at ${String(now())} ms`);
    }
    return log;
  },
  { autojump: true },
);
console.log(log.join('\n'));
