import { afterEach, expect } from 'vitest';

/** One turn of the event loop: lets pending I/O callbacks and immediates run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Lets every queued microtask (and the microtasks they queue) run. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** Fails the test if it left a TCP socket or server open. */
export function checkNoLeakedSockets(): void {
  afterEach(async () => {
    await nextTurn();
    const open = process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP'));
    expect(open, 'TCP handles left open by the test').toEqual([]);
  });
}

/** Tracks a promise's outcome so a test can assert it is still pending. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}
