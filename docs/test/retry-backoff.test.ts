// The retry recipe on virtual time (@corio/core/testing): its program, and a retry loop under a
// 30 s deadline, run in no real time and print the same log every time. The recipe's own test
// (recipes.test.ts) runs it as a program, on real time; here its functions are imported, and
// `run` is replaced so that importing the recipe does not start its program.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, now, timeout } from '@corio/core';
import type * as Core from '@corio/core';
import { withVirtualClock } from '@corio/core/testing';

const programs: (() => Promise<unknown>)[] = [];
vi.mock('@corio/core', async (importOriginal) => ({
  ...(await importOriginal<typeof Core>()),
  run: (main: () => Promise<unknown>) => {
    programs.push(main);
    return Promise.resolve();
  },
}));

const { flakyService, retry } = await import('../recipes/retry-backoff.js');

let logged: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `fn` on virtual time with autojump, collecting what it prints. */
async function onVirtualTime(fn: () => Promise<void>): Promise<string[]> {
  logged = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    logged.push(String(line));
  });
  await withVirtualClock(fn, { autojump: true });
  vi.restoreAllMocks();
  return logged;
}

/** Retries a service that stays down until a deadline of 30 simulated seconds. */
async function thirtySeconds(): Promise<void> {
  try {
    await timeout(30_000, () =>
      retry(flakyService(Infinity), {
        onRetry: (attempt, error, delayMs) => {
          const at = `${String(now())} ms`;
          console.log(
            `${at}: attempt ${String(attempt)} failed (${String(error)}), retrying in ${String(delayMs)} ms`,
          );
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    console.log(`${String(now())} ms: gave up at the deadline: ${error.name}`);
  }
}

describe('the retry recipe on virtual time', () => {
  it("its program prints the page's output", async () => {
    expect(programs).toHaveLength(1);
    const main = programs[0] as () => Promise<void>;
    expect(await onVirtualTime(main)).toEqual([
      'attempt 1 failed (Error: 503 Service Unavailable), retrying in 20 ms',
      'attempt 2 failed (Error: 503 Service Unavailable), retrying in 40 ms',
      'attempt 3 failed (Error: 503 Service Unavailable), retrying in 80 ms',
      'ok after 4 calls',
      'gave up at the deadline: TimeoutError',
      'the last failure: Error: 503 Service Unavailable',
    ]);
  });

  it('retries under a 30 s deadline in no real time, with the same log every run', async () => {
    const realStart = performance.now();
    const first = await onVirtualTime(thirtySeconds);
    const second = await onVirtualTime(thirtySeconds);
    const real = performance.now() - realStart;
    const failed = (at: number, attempt: number, delay: number): string =>
      `${String(at)} ms: attempt ${String(attempt)} failed (Error: 503 Service Unavailable), retrying in ${String(delay)} ms`;
    expect(first).toEqual([
      failed(1, 1, 20),
      failed(22, 2, 40),
      failed(63, 3, 80),
      failed(144, 4, 160),
      failed(305, 5, 320),
      failed(626, 6, 640),
      failed(1267, 7, 1280),
      failed(2548, 8, 2560),
      failed(5109, 9, 5120),
      failed(10230, 10, 10240),
      failed(20471, 11, 20480),
      '30000 ms: gave up at the deadline: TimeoutError',
    ]);
    expect(second).toEqual(first);
    // 60 simulated seconds in all; a loose bound on the real time, far below them.
    expect(real).toBeLessThan(5_000);
  });
});
