import type { Future } from '@corio/core';
import { CHUNK_READ_MS, ChunkSizer } from './chunk-sizer.js';
import type { ChunkResult } from './protocol.js';
import { deserializeError } from './protocol.js';

/** How mapResults reads and submits. */
export interface MapSettings {
  /** Items per chunk; undefined for the default, chosen by a ChunkSizer. */
  readonly chunkSize: number | undefined;
  readonly bufferSize: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * The results of WorkerPoolExecutor.map, in input order, a chunk's values at a time (never an
 * empty chunk): MapIterator hands them out one by one. Invariant: at most `bufferSize` chunks (of
 * at most `chunkSize` items, or MAX_ADAPTIVE_CHUNK by default) are submitted and not fully
 * yielded, and the source is read only inside `next()`, so a paused consumer stops the reading.
 *
 * Every way out (the last result, an item's error, `return()` from a `break`, a cancelled
 * consumer, an aborted signal) cancels the chunks still outstanding and closes the source.
 */
export async function* mapResults(
  submitChunk: (items: unknown[]) => Future<ChunkResult>,
  iterable: Iterable<unknown> | AsyncIterable<unknown>,
  settings: MapSettings,
): AsyncGenerator<readonly unknown[], undefined, undefined> {
  const { bufferSize, signal } = settings;
  const sizer = settings.chunkSize === undefined ? new ChunkSizer() : undefined;
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
        const size = sizer?.size ?? settings.chunkSize ?? 1;
        let first = 0; // when the chunk's first item came, for the default chunk size
        try {
          while (items.length < size) {
            const step = isAsync ? await source.next() : (source as Iterator<unknown>).next();
            if (step.done === true) {
              sourceDone = true;
              break;
            }
            const count = items.push(step.value);
            if (sizer === undefined) continue;
            // A default-sized chunk leaves once CHUNK_READ_MS have passed since its first item
            // came, so a slow source does not hold that item back. The clock is read at 1, 2, 4,
            // 8... items only: a read costs a third of what the rest of an item does.
            if (count === 1) first = performance.now();
            else if ((count & (count - 1)) === 0 && performance.now() - first >= CHUNK_READ_MS) {
              break;
            }
          }
        } catch (error) {
          sourceDone = true; // A source that threw is not closed again.
          throw error;
        }
        if (sizer !== undefined && items.length > 1) {
          sizer.read(items.length - 1, performance.now() - first);
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
      sizer?.worked(result[0].length + (result.length > 2 ? 1 : 0), result[1]);
      if (head > 1024 && head * 2 > outstanding.length) {
        outstanding.splice(0, head);
        head = 0;
      }
      if (result[0].length > 0) {
        yield result[0];
        signal?.throwIfAborted(); // aborted while the consumer held one of the values
      }
      if (result.length > 2) throw deserializeError(result[2]);
    }
  } finally {
    signal?.removeEventListener('abort', cancelOutstanding);
    cancelOutstanding();
    if (!sourceDone) await source?.return?.();
  }
}
