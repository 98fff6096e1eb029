import { QueueShutDown } from '../errors.js';
import type { SignalOptions } from '../suspend.js';

const ITERATION_DONE: Promise<IteratorReturnResult<undefined>> = Promise.resolve({
  done: true,
  value: undefined,
});

/** What iterating needs of a queue. */
interface Gettable<T> {
  empty(): boolean;
  get(options?: SignalOptions): Promise<T>;
}

/**
 * A queue's `for await` iterator: gets items until the queue is shut down and drained. Leaving
 * the loop leaves the items not yet got in the queue.
 */
export function iterate<T>(queue: Gettable<T>): AsyncIterator<T, undefined> {
  let finished = false;
  // Aborted by return(), so that a next() still waiting leaves the queue. A next() that already
  // has its item resolves with it, as a request made before return() does with a generator.
  let controller: AbortController | undefined;
  const end = (): IteratorReturnResult<undefined> => {
    finished = true;
    return { done: true, value: undefined };
  };
  return {
    next: () => {
      if (finished) return ITERATION_DONE;
      const signal = queue.empty() ? (controller ??= new AbortController()).signal : undefined;
      return queue.get({ signal }).then(
        (value): IteratorResult<T, undefined> => ({ done: false, value }),
        (error: unknown) => {
          if (error instanceof QueueShutDown) return end();
          if (finished && error === controller?.signal.reason) return end();
          throw error;
        },
      );
    },
    return: () => {
      finished = true;
      controller?.abort();
      return ITERATION_DONE;
    },
  };
}
