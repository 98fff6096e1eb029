/**
 * The most items in one chunk of map()'s default chunk size. It bounds the read-ahead in items
 * (bufferSize chunks of at most this many) and the memory of a chunk and its results; tiny jobs
 * gain little beyond it (each message is then under 0.1 % of its chunk's work).
 */
export const MAX_ADAPTIVE_CHUNK = 1024;

/**
 * How long one chunk should keep its worker busy: long enough that the cost of a message each
 * way (about 10 µs on the main thread) is 1 % of the work, short enough that the workers stay
 * balanced and a result never waits long behind its chunk-mates.
 */
export const CHUNK_WORK_MS = 1;

/**
 * How long a chunk's first item may wait for the rest of its chunk to be read from the source:
 * a source slower than one item per CHUNK_READ_MS gets chunks of one item, sent as they come.
 */
export const CHUNK_READ_MS = 1;

/**
 * map()'s default chunk size. It starts at 1 (asyncio's `chunksize`), since nothing is known of
 * the items yet. After each chunk's result it becomes the number of items its worker would run in
 * CHUNK_WORK_MS at the rate measured there, but at most twice what it was, and at most
 * MAX_ADAPTIVE_CHUNK; after each chunk read from the source, at most the number of items the
 * source gives in CHUNK_READ_MS at the rate measured there.
 *
 * It falls at once and grows by doubling: a single fast timing (a fast first item, the clock's
 * granularity) cannot send a thousand slow items in one chunk. Invariant: 1 <= size <= MAX.
 */
export class ChunkSizer {
  #size = 1;

  /** The number of items the next chunk takes. */
  get size(): number {
    return this.#size;
  }

  /** A chunk of `count` items ran in its worker for `ms`. */
  worked(count: number, ms: number): void {
    const fits = ms > 0 ? Math.floor((CHUNK_WORK_MS * count) / ms) : Infinity;
    this.#size = clamp(Math.min(2 * this.#size, fits));
  }

  /** The source gave `count` more items in the `ms` after a chunk's first (never grows it). */
  read(count: number, ms: number): void {
    const fits = ms > 0 ? 1 + Math.floor((CHUNK_READ_MS * count) / ms) : Infinity;
    if (fits < this.#size) this.#size = clamp(fits);
  }
}

function clamp(size: number): number {
  return Math.max(1, Math.min(MAX_ADAPTIVE_CHUNK, size));
}
