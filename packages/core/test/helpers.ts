import { vi } from 'vitest';

/**
 * Fake timers for one test, undone when the returned object is disposed:
 * `using clock = fakeTimers();` then `await clock.advance(100)`.
 */
export function fakeTimers(): Disposable & {
  advance: (ms: number) => Promise<void>;
  runAll: () => Promise<void>;
} {
  vi.useFakeTimers({
    toFake: [
      'setTimeout',
      'clearTimeout',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'performance',
      'Date',
    ],
  });
  return {
    advance: async (ms) => {
      await vi.advanceTimersByTimeAsync(ms);
    },
    runAll: async () => {
      await vi.runAllTimersAsync();
    },
    [Symbol.dispose]: () => {
      vi.useRealTimers();
    },
  };
}

/** Lets every queued microtask (and the microtasks they queue) run. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** One turn of the event loop: lets pending I/O callbacks and immediates run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What `promise` rejects with (fails the test if it fulfils). */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}
