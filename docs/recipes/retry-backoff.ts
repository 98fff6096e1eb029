import assert from 'node:assert/strict';
import {
  TimeoutError,
  isCancelledError,
  run,
  sleep,
  timeout,
} from '@corio/core';

export interface RetryOptions {
  /**
   * The delay before the second attempt, doubled after each failure.
   */
  firstDelayMs?: number;
  /** Called after each failed attempt, before the pause. */
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
}

// Calls fn until it succeeds, pausing 20, 40, 80... ms between
// attempts. It never gives up by itself: put it under a deadline, whose
// cancellation ends it wherever it is.
export async function retry<T>(
  fn: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const { firstDelayMs = 20, onRetry } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      // the deadline (or Ctrl-C): stop retrying
      if (isCancelledError(error)) throw error;
      const delayMs = firstDelayMs * 2 ** (attempt - 1);
      onRetry?.(attempt, error, delayMs);
      // a cancellation point: the deadline can end the pause too
      await sleep(delayMs);
    }
  }
}

// A service that fails `failures` times, then answers.
export function flakyService(failures: number): () => Promise<string> {
  let calls = 0;
  return async () => {
    await sleep(1); // the network
    if (++calls <= failures) throw new Error('503 Service Unavailable');
    return `ok after ${String(calls)} calls`;
  };
}

await run(async () => {
  // A service that recovers: the deadline of 5 s is never reached.
  const answer = await timeout(5_000, () =>
    retry(flakyService(3), {
      onRetry: (attempt, error, delayMs) => {
        const failed = `attempt ${String(attempt)} failed`;
        const pause = `retrying in ${String(delayMs)} ms`;
        console.log(`${failed} (${String(error)}), ${pause}`);
      },
    }),
  );
  console.log(answer);
  assert.equal(answer, 'ok after 4 calls');

  // A service that stays down: the whole operation gets 300 ms, then
  // TimeoutError.
  let lastError: unknown;
  try {
    await timeout(300, () =>
      retry(flakyService(Infinity), {
        onRetry: (_attempt, error) => {
          lastError = error;
        },
      }),
    );
    assert.fail('unreachable');
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    console.log(`gave up at the deadline: ${error.name}`);
    console.log(`the last failure: ${String(lastError)}`);
  }
});
