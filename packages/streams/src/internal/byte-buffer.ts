// The byte buffer behind StreamReader: a queue of received chunks, with the search and take
// operations the reads are built from. A chunk stays as it arrived until it is read, so a read
// that takes most of a chunk takes a view of it without a copy, a short one a copy (a view would
// keep the whole chunk alive), and one that spans chunks copies each byte once (into the Buffer
// it returns), never into a buffer of ours and out again.

// A chunk shorter than this that arrives behind others is copied into a tail buffer of ours
// rather than queued as it is: a peer that trickles tiny packets at a reader that waits must
// not cost an object (and a step of every search) per packet.
const SMALL = 1024;
// The size of a tail buffer. An empty ByteBuffer lets its tail go: an idle connection holds no
// memory.
const TAIL = 4096;
// A byte search looks at this many bytes in JavaScript before it calls `indexOf`: most lines
// are short, and a call into C++ costs more than a short loop (3x for 16-byte lines, Node 24).
const SCAN = 64;
// A separator of several bytes is searched for in JavaScript in up to this many bytes, past
// which `indexOf` (whose call costs ~160 ns, Node 24) is the faster: an HTTP request head
// arrives as a chunk of its own, of a few hundred bytes.
const SCAN_SEPARATOR = 256;

/** Converts written or fed data to a Buffer without copying a Uint8Array. */
export function toBytes(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The index of `byte` in `chunk` at or after `from`, or -1. */
function findByte(chunk: Buffer, byte: number, from: number): number {
  const length = chunk.length;
  const stop = from + SCAN < length ? from + SCAN : length;
  for (let i = from; i < stop; i++) if (chunk[i] === byte) return i;
  return stop === length ? -1 : chunk.indexOf(byte, stop);
}

/** The index of `sep` (of two bytes or more) in `chunk` at or after `from`, or -1. */
function findBytes(chunk: Buffer, sep: Buffer, from: number): number {
  const length = chunk.length;
  if (length - from > SCAN_SEPARATOR) return chunk.indexOf(sep, from);
  const first = sep[0];
  const last = length - sep.length;
  for (let i = from; i <= last; i++) {
    if (chunk[i] === first && startsAt(chunk, sep, i)) return i;
  }
  return -1;
}

/** Whether `chunk` holds `sep` at `at` (`sep` fits there). */
function startsAt(chunk: Buffer, sep: Buffer, at: number): boolean {
  for (let j = 1; j < sep.length; j++) if (chunk[at + j] !== sep[j]) return false;
  return true;
}

/**
 * `chunk[start, end)`: the chunk itself, a view when it is at least half the chunk's memory, or
 * else a copy (from Node's pool), so that a short piece kept for long pins no 64 KiB read.
 */
function piece(chunk: Buffer, start: number, end: number): Buffer {
  if (start === 0 && end === chunk.length) return chunk;
  const n = end - start;
  // (The length first: most pieces are short, and `buffer` is a getter.)
  if (2 * n >= chunk.length && 2 * n >= chunk.buffer.byteLength) return chunk.subarray(start, end);
  const copy = Buffer.allocUnsafe(n);
  // A line is often a few dozen bytes: copied here, it costs less than the call into C++.
  if (n <= SHORT_COPY) for (let i = 0; i < n; i++) copy[i] = chunk[start + i] as number;
  else chunk.copy(copy, 0, start, end);
  return copy;
}

/**
 * Up to this many bytes, a JavaScript loop copies faster than `Buffer.copy`: 16 B about 30 %
 * faster on Node 24 and 26, even on 22; from about 32 B on, the call into C++ wins.
 */
const SHORT_COPY = 24;

/** A copy of `bytes` in memory of its own, as a socket's chunk is: a view of it pins no pool. */
function copyOf(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/**
 * A FIFO of bytes, kept as the chunks that were appended. A chunk nobody else writes into (a
 * socket's) is queued as it is; of any other, a copy is. Short chunks are copied into a tail
 * buffer of ours. Nothing is ever written into a byte that was queued, so a view of a queued
 * chunk handed to a reader stays valid for good. Only reads of at least half a chunk are views:
 * a view keeps its whole chunk (a socket's read, up to 64 KiB) alive as long as the reader's
 * caller holds it, and a caller may keep a short line for good (in a map, a cache).
 */
export class ByteBuffer {
  // The live bytes are #chunks[0] from #offset, then the other chunks whole; no chunk is empty
  // and #length is their total. #tail[#tailEnd, …) is free; when #tailQueued, the last chunk is
  // a view of #tail ending at #tailEnd (short appends extend it).
  #chunks: Buffer[] = [];
  #offset = 0;
  #length = 0;
  #tail: Buffer | undefined = undefined;
  #tailEnd = 0;
  #tailQueued = false;

  /** How many bytes are buffered. */
  get length(): number {
    return this.#length;
  }

  /** How many chunks are queued (for tests and the reader's `toString`). */
  get chunks(): number {
    return this.#chunks.length;
  }

  /**
   * Appends `bytes`: `bytes` itself if `adopt` (nobody writes into it afterwards), else a copy;
   * a short chunk behind others either way is copied into the tail.
   */
  append(bytes: Buffer, adopt: boolean): void {
    const size = bytes.length;
    if (size === 0) return;
    const queued = this.#length;
    this.#length += size;
    if (size < SMALL && queued > 0) {
      this.#appendShort(bytes);
      return;
    }
    this.#tailQueued = false;
    this.#chunks.push(adopt ? bytes : copyOf(bytes));
  }

  #appendShort(bytes: Buffer): void {
    let tail = this.#tail;
    const end = this.#tailEnd;
    if (tail === undefined || end + bytes.length > tail.length) {
      tail = Buffer.allocUnsafeSlow(TAIL);
      this.#tail = tail;
      this.#tailEnd = 0;
      this.#tailQueued = false;
    }
    const start = this.#tailEnd;
    bytes.copy(tail, start);
    this.#tailEnd = start + bytes.length;
    const chunks = this.#chunks;
    if (this.#tailQueued) {
      // Extend the last chunk, a view of the tail ending at `start`.
      const last = chunks[chunks.length - 1] as Buffer;
      const from = last.byteOffset - tail.byteOffset;
      chunks[chunks.length - 1] = tail.subarray(from, this.#tailEnd);
    } else {
      chunks.push(tail.subarray(start, this.#tailEnd));
      this.#tailQueued = true;
    }
  }

  /** The offset (from the first live byte) of `byte` at or after `from`, or -1. */
  indexOfByte(byte: number, from: number): number {
    const chunks = this.#chunks;
    const first = chunks[0];
    if (first === undefined) return -1;
    // The common case, a line within the first chunk, without the loop.
    const offset = this.#offset;
    const index = findByte(first, byte, offset + from);
    if (index !== -1) return index - offset;
    let base = first.length - offset; // the offset of the current chunk's byte 0
    for (let i = 1; i < chunks.length; i++) {
      const chunk = chunks[i] as Buffer;
      const local = from - base;
      if (local < chunk.length) {
        const found = findByte(chunk, byte, local < 0 ? 0 : local);
        if (found !== -1) return base + found;
      }
      base += chunk.length;
    }
    return -1;
  }

  /**
   * The offset (from the first live byte) of the first `sep` that starts at or after `from`,
   * or -1; `sep` may span chunks.
   */
  indexOf(sep: Buffer, from: number): number {
    const chunks = this.#chunks;
    const last = sep.length - 1;
    let base = -this.#offset;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as Buffer;
      let local = from - base;
      if (local < 0) local = 0;
      if (local < chunk.length) {
        // A match within the chunk starts before any that crosses its end.
        const index = findBytes(chunk, sep, local);
        if (index !== -1) return base + index;
        for (let start = Math.max(local, chunk.length - last); start < chunk.length; start++) {
          if (this.#matchesAcross(sep, i, start)) return base + start;
        }
      }
      base += chunk.length;
    }
    return -1;
  }

  /** Whether `sep` is at `start` of chunk `i` and runs on into the next ones. */
  #matchesAcross(sep: Buffer, i: number, start: number): boolean {
    let chunk = this.#chunks[i] as Buffer;
    let at = start;
    for (const byte of sep) {
      if (at === chunk.length) {
        const next = this.#chunks[++i];
        if (next === undefined) return false;
        chunk = next;
        at = 0;
      }
      if (chunk[at++] !== byte) return false;
    }
    return true;
  }

  /** The live byte at `offset`, or `undefined`. */
  at(offset: number): number | undefined {
    let local = offset + this.#offset;
    for (const chunk of this.#chunks) {
      if (local < chunk.length) return chunk[local];
      local -= chunk.length;
    }
    return undefined;
  }

  /**
   * Removes the live bytes up to and including the first `byte` and returns them (as take()
   * does), if that `byte` is in the first chunk at most `limit` bytes in; else returns
   * `undefined` and removes nothing (the caller searches the other chunks). The fast path of
   * readLine().
   */
  takeThrough(byte: number, limit: number): Buffer | undefined {
    const first = this.#chunks[0];
    if (first === undefined) return undefined;
    const start = this.#offset;
    const index = findByte(first, byte, start);
    if (index === -1 || index - start > limit) return undefined;
    const end = index + 1;
    const bytes = piece(first, start, end);
    this.#consumeFirst(end - start, end);
    return bytes;
  }

  /**
   * Removes the first `n` live bytes (`n <= length`) and returns them: a view when they are at
   * least half of the one chunk that holds them (nothing writes into a queued chunk, so the
   * view stays valid for good), a copy when they are less (see the class) or span chunks.
   */
  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0] as Buffer;
    const start = this.#offset;
    const end = start + n;
    if (end <= first.length) {
      const bytes = piece(first, start, end);
      this.#consumeFirst(n, end);
      return bytes;
    }
    const bytes = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const chunk = this.#chunks[0] as Buffer;
      const from = this.#offset;
      const to = Math.min(chunk.length, from + n - copied);
      chunk.copy(bytes, copied, from, to);
      copied += to - from;
      this.#consumeFirst(to - from, to);
    }
    return bytes;
  }

  /** Removes the first `n` live bytes (`n <= length`). */
  discard(n: number): void {
    let left = n;
    while (left > 0) {
      const chunk = this.#chunks[0] as Buffer;
      const step = Math.min(left, chunk.length - this.#offset);
      this.#consumeFirst(step, this.#offset + step);
      left -= step;
    }
  }

  /** Removes `n` bytes from the first chunk, whose next live byte is then at `end`. */
  #consumeFirst(n: number, end: number): void {
    this.#length -= n;
    const chunks = this.#chunks;
    if (end < (chunks[0] as Buffer).length) {
      this.#offset = end;
      return;
    }
    this.#offset = 0;
    if (chunks.length > 1) {
      chunks.shift();
      return;
    }
    // The last chunk: pop(), not shift(), which costs ~70 ns more (V8 trims the array's start,
    // and the next push() grows it again), once per request for a server whose requests arrive
    // one per chunk.
    chunks.pop();
    this.#tail = undefined;
    this.#tailQueued = false;
  }
}
