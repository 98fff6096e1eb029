import type { Future } from '../future.js';

// A future that failed and whose error nobody has retrieved is reported, as asyncio logs
// "exception was never retrieved": when it is garbage-collected, or when `run()` ends, whichever
// comes first. Only failed futures pay for this, never the successful path.
//
// Invariant: an entry in `unreported` is a failure not yet reported; whichever reports it first
// (the finalization callback or `run()`) removes the entry, so the other does nothing. The text is
// held here, strongly, rather than rebuilt from the future: `run()` may meet a future already
// collected whose callback is queued but has not run, and unregistering it drops that callback,
// so `run()` must print the text itself (issue #16: skipping such a future lost its report).
const unreported = new Map<WeakRef<Future<unknown>>, string>();
const registry = new FinalizationRegistry<WeakRef<Future<unknown>>>((ref) => {
  report(ref);
});

/** Starts watching a failed future; returns the handle to stop watching it with. */
export function trackUnretrieved(
  future: Future<unknown>,
  error: unknown,
): WeakRef<Future<unknown>> {
  const ref = new WeakRef(future);
  unreported.set(ref, describe(future, error));
  registry.register(future, ref, ref);
  return ref;
}

/** Stops watching: the error was retrieved. */
export function untrackUnretrieved(ref: WeakRef<Future<unknown>>): void {
  unreported.delete(ref);
  registry.unregister(ref);
}

/** Reports every failed future still unretrieved and stops watching them; returns how many. */
export function reportUnretrieved(): number {
  let count = 0;
  for (const ref of unreported.keys()) {
    registry.unregister(ref);
    if (report(ref)) count++;
  }
  return count;
}

/** Prints the report if it is still due (the other reporter may have come first). */
function report(ref: WeakRef<Future<unknown>>): boolean {
  const text = unreported.get(ref);
  if (text === undefined) return false;
  unreported.delete(ref);
  console.error(text);
  return true;
}

function describe(future: Future<unknown>, error: unknown): string {
  const kind = future.constructor.name === 'Future' ? 'Future' : 'Task';
  const detail = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  return `corio: ${kind} exception was never retrieved\nfuture: ${future.toString()}\n${detail}`;
}
