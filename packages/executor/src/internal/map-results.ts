import type { Future } from '@corio/core';
import type { ChunkResult } from './protocol.js';
import { deserializeError } from './protocol.js';

/** How mapResults reads and submits. */
export interface MapSettings {
  readonly chunkSize: number;
  readonly bufferSize: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * The results of WorkerPoolExecutor.map, in input order. Invariant: at most `bufferSize` chunks
 * are submitted and not fully yielded, and the source is read only inside `next()`, so a paused
 * consumer stops the reading.
 *
 * Every way out (the last result, an item's error, `return()` from a `break`, a cancelled
 * consumer, an aborted signal) cancels the chunks still outstanding and closes the source.
 */
export async function* mapResults<R>(
  submitChunk: (items: unknown[]) => Future<ChunkResult>,
  iterable: Iterable<unknown> | AsyncIterable<unknown>,
  settings: MapSettings,
): AsyncGenerator<R, undefined, undefined> {
  const { chunkSize, bufferSize, signal } = settings;
  const outstanding: Future<ChunkResult>[] = [];
  let head = 0;
  let source: Iterator<unknown> | AsyncIterator<unknown> | undefined;
  let sourceDone = false;
  const cancelOutstanding = (): void => {
    for (let i = head; i < outstanding.length; i++) {
      const future = outstanding[i] as Future<ChunkResult>;
      // A chunk that failed and is never reached: its error is not reported as unretrieved.
      if (!future.cancel() && !future.cancelled()) future.exception();
    }
    head = outstanding.length;
  };
  signal?.addEventListener('abort', cancelOutstanding);
  try {
    signal?.throwIfAborted();
    const isAsync = Symbol.asyncIterator in iterable;
    source = isAsync ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
    for (;;) {
      signal?.throwIfAborted();
      while (!sourceDone && outstanding.length - head < bufferSize) {
        const items: unknown[] = [];
        try {
          while (items.length < chunkSize) {
            const step = isAsync ? await source.next() : (source as Iterator<unknown>).next();
            if (step.done === true) {
              sourceDone = true;
              break;
            }
            items.push(step.value);
          }
        } catch (error) {
          sourceDone = true; // A source that threw is not closed again.
          throw error;
        }
        signal?.throwIfAborted();
        if (items.length > 0) outstanding.push(submitChunk(items));
      }
      if (head === outstanding.length) return undefined;
      let result: ChunkResult;
      try {
        result = await (outstanding[head] as Future<ChunkResult>);
      } catch (error) {
        signal?.throwIfAborted();
        throw error;
      }
      head++;
      if (head > 1024 && head * 2 > outstanding.length) {
        outstanding.splice(0, head);
        head = 0;
      }
      for (const value of result[0]) {
        yield value as R;
        signal?.throwIfAborted(); // aborted while the consumer held the value
      }
      if (result.length > 1) throw deserializeError(result[1]);
    }
  } finally {
    signal?.removeEventListener('abort', cancelOutstanding);
    cancelOutstanding();
    if (!sourceDone) await source?.return?.();
  }
}
