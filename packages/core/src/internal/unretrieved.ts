import type { Future } from '../future.js';

// A future that failed and whose error nobody has retrieved is reported, as asyncio logs
// "exception was never retrieved": when it is garbage-collected, or when `run()` ends, whichever
// comes first. Only failed futures pay for this, never the successful path.

const live = new Set<WeakRef<Future<unknown>>>();
const registry = new FinalizationRegistry<{ ref: WeakRef<Future<unknown>>; text: string }>(
  ({ ref, text }) => {
    live.delete(ref);
    console.error(text);
  },
);

/** Starts watching a failed future; returns the handle to stop watching it with. */
export function trackUnretrieved(
  future: Future<unknown>,
  error: unknown,
): WeakRef<Future<unknown>> {
  const ref = new WeakRef(future);
  live.add(ref);
  registry.register(future, { ref, text: describe(future, error) }, ref);
  return ref;
}

/** Stops watching: the error was retrieved. */
export function untrackUnretrieved(ref: WeakRef<Future<unknown>>): void {
  live.delete(ref);
  registry.unregister(ref);
}

/** Reports every failed future still unretrieved and stops watching them; returns how many. */
export function reportUnretrieved(): number {
  let count = 0;
  for (const ref of live) {
    const future = ref.deref();
    untrackUnretrieved(ref);
    if (future === undefined) continue;
    let error: unknown;
    try {
      error = future.exception();
    } catch {
      continue;
    }
    console.error(describe(future, error));
    count++;
  }
  return count;
}

function describe(future: Future<unknown>, error: unknown): string {
  const kind = future.constructor.name === 'Future' ? 'Future' : 'Task';
  const detail = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  return `corio: ${kind} exception was never retrieved\nfuture: ${future.toString()}\n${detail}`;
}
