import { afterEach, beforeEach, expect } from 'vitest';

/** One turn of the event loop: lets pending I/O callbacks and immediates run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Lets every queued microtask (and the microtasks they queue) run. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** Fails the test if it left a TCP socket or server open (and Unix ones, with `pipes`). */
export function checkNoLeakedSockets(options?: { pipes?: boolean }): void {
  const kinds = options?.pipes === true ? ['TCP', 'Pipe'] : ['TCP'];
  const open = (): string[] =>
    process
      .getActiveResourcesInfo()
      .filter((name) => kinds.some((kind) => name.startsWith(kind)))
      .sort();
  // The test runner's own pipes (its IPC channel) are there before the test starts.
  let before: string[] = [];
  beforeEach(() => {
    before = open();
  });
  afterEach(async () => {
    await nextTurn();
    expect(open(), 'sockets left open by the test').toEqual(before);
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
