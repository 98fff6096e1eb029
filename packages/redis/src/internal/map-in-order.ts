// map() for an executor of futures: a window of submitted items, results yielded in input order.
import type { Future } from '@corio/core';

/** Settles like `future`, or rejects with `signal.reason` once `signal` aborts. */
function raceSignal<T>(future: Future<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return Promise.resolve(future);
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    future.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/**
 * Submits `submit(item)` for each item, at most `bufferSize` ahead of the consumer, and yields the
 * results in input order. Leaving early (break, a failed item, an aborted `signal`, a cancelled
 * consumer) cancels the jobs still outstanding and closes the input.
 */
export async function* mapInOrder<I, T>(
  submit: (item: I) => Future<T>,
  iterable: Iterable<I> | AsyncIterable<I>,
  bufferSize: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<T, void, undefined> {
  const iterator =
    Symbol.asyncIterator in iterable
      ? iterable[Symbol.asyncIterator]()
      : iterable[Symbol.iterator]();
  const window: Future<T>[] = [];
  let exhausted = false;
  try {
    for (;;) {
      signal?.throwIfAborted();
      while (!exhausted && window.length < bufferSize) {
        const next = await iterator.next();
        if (next.done === true) exhausted = true;
        else window.push(submit(next.value));
      }
      const head = window[0];
      if (head === undefined) return;
      const value = await raceSignal(head, signal);
      window.shift();
      yield value;
    }
  } finally {
    for (const future of window) future.cancel();
    if (!exhausted) await iterator.return?.();
  }
}
