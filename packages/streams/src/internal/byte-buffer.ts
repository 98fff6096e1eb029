// The byte buffer behind StreamReader: a growable window over one Buffer, with the search and
// take operations the reads are built from.

const EMPTY = Buffer.alloc(0);
// An empty buffer of ours up to this size is kept for the next bytes.
const RETAINED = 1024 * 1024;

/** Converts written or fed data to a Buffer without copying a Uint8Array. */
export function toBytes(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A copy of `bytes` in memory of its own, as a socket's chunk is: a view of it pins no pool. */
function copyOf(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/**
 * A FIFO of bytes. A chunk appended to an empty buffer is adopted without a copy (and never
 * written into), and bytes are copied into a buffer of our own only when a second chunk
 * arrives before the first is consumed. Only a chunk nobody else writes into is adopted as it
 * is (a socket's); of any other, a copy is.
 */
export class ByteBuffer {
  // Live bytes are #buffer[#start, #end); #owned is whether #buffer is ours to write into.
  #buffer: Buffer = EMPTY;
  #start = 0;
  #end = 0;
  #owned = true;

  /** How many bytes are buffered. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** The live bytes, as a view (valid until the next append). */
  view(): Buffer {
    return this.#buffer.subarray(this.#start, this.#end);
  }

  /** The offset (from the first live byte) of `byte` at or after `from`, or -1. */
  indexOfByte(byte: number, from: number): number {
    const index = this.#buffer.indexOf(byte, this.#start + from);
    return index === -1 || index >= this.#end ? -1 : index - this.#start;
  }

  /** The live byte at `offset`, or `undefined`. */
  at(offset: number): number | undefined {
    const index = this.#start + offset;
    return index < this.#end ? this.#buffer[index] : undefined;
  }

  /**
   * Removes the first `n` live bytes and returns them: a copy, or a view of an adopted chunk
   * when they are at least half of its memory (nothing writes into an adopted chunk, and a view
   * that small would keep too much of it alive).
   */
  take(n: number): Buffer {
    const start = this.#start;
    const buffer = this.#buffer;
    let chunk: Buffer;
    if (!this.#owned && 2 * n >= buffer.buffer.byteLength) {
      chunk = buffer.subarray(start, start + n);
    } else {
      chunk = Buffer.allocUnsafe(n);
      buffer.copy(chunk, 0, start, start + n);
    }
    this.discard(n);
    return chunk;
  }

  /** Removes the first `n` live bytes. */
  discard(n: number): void {
    this.#start += n;
    if (this.#start >= this.#end) {
      this.#start = 0;
      this.#end = 0;
      // A consumed chunk of the peer's, or a large buffer of ours, is let go.
      if (!this.#owned || this.#buffer.length > RETAINED) {
        this.#buffer = EMPTY;
        this.#owned = true;
      }
    }
  }

  /**
   * Appends `bytes`, adopting them when the buffer is empty: `bytes` itself if `adopt` (nobody
   * writes into it afterwards), else a copy.
   */
  append(bytes: Buffer, adopt: boolean): void {
    const live = this.#end - this.#start;
    if (live === 0 && (!this.#owned || this.#buffer.length < bytes.length)) {
      this.#buffer = adopt ? bytes : copyOf(bytes);
      this.#owned = false;
      this.#start = 0;
      this.#end = bytes.length;
      return;
    }
    if (this.#end + bytes.length > this.#buffer.length || !this.#owned) {
      const needed = live + bytes.length;
      if (this.#owned && needed <= this.#buffer.length && this.#start >= live) {
        // Enough room once the live bytes move to the front (source and target do not overlap).
        this.#buffer.copy(this.#buffer, 0, this.#start, this.#end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(needed, 2 * live, 4096));
        this.#buffer.copy(grown, 0, this.#start, this.#end);
        this.#buffer = grown;
        this.#owned = true;
      }
      this.#start = 0;
      this.#end = live;
    }
    bytes.copy(this.#buffer, this.#end);
    this.#end += bytes.length;
  }
}
