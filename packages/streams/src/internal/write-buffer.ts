import type { Socket } from 'node:net';

/** Writes at least this long go to the socket as they are; shorter ones are gathered. */
export const GATHER_BELOW = 4096;

// The gather buffer's first size: the short writes of a tick usually fit in it. A writer keeps
// one of this size between ticks (it is let go by end()).
const CAPACITY = 8192;
const EMPTY = Buffer.alloc(0);

/**
 * The short writes of one tick, gathered and handed to the socket as one Buffer in
 * `process.nextTick` (one `socket.write`, so one system call, instead of one per write: Node's
 * per-write cost dominates for short lines).
 *
 * A short write is copied into the gather buffer when it is made, not when the tick ends: the
 * caller may change or reuse its buffer as soon as `write()` returns (a raw `net.Socket.write`
 * of a short chunk to an idle socket hands the bytes to the kernel in the call, and callers
 * rely on that).
 */
export class WriteBuffer {
  // #buffer[0, #bytes) holds the tick's short writes (copies, ours alone); #scheduled while a
  // flush is queued.
  #buffer: Buffer = EMPTY;
  #bytes = 0;
  #scheduled = false;
  readonly #socket: () => Socket;
  readonly #flushLater = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** @param socket - the socket to write to (a writer's socket changes on a TLS upgrade). */
  constructor(socket: () => Socket) {
    this.#socket = socket;
  }

  /** How many bytes are gathered and not yet handed to the socket. */
  get length(): number {
    return this.#bytes;
  }

  /** Gathers a copy of `data` (a short write) or, after what was gathered, writes it (a long one). */
  write(data: string | Uint8Array): void {
    if (typeof data === 'string') {
      this.#writeString(data);
      return;
    }
    if (data.length >= GATHER_BELOW) {
      this.#writeNow(data);
      return;
    }
    this.#reserve(data.length);
    this.#buffer.set(data, this.#bytes);
    this.#bytes += data.length;
    this.#schedule();
  }

  /** Hands what was gathered to the socket now. */
  flush(): void {
    const bytes = this.#bytes;
    if (bytes === 0) return;
    this.#bytes = 0;
    const socket = this.#socket();
    // As in asyncio, data written after the peer went away is dropped; drain() reports it.
    if (socket.destroyed) return;
    const buffer = this.#buffer;
    let data: Buffer;
    if (2 * bytes >= buffer.length) {
      // Mostly full: the socket takes the buffer itself (it may hold on to it until the kernel
      // has the bytes, so it is never written into again) and the next tick gathers into a
      // new one.
      data = buffer.subarray(0, bytes);
      this.#buffer = EMPTY;
    } else {
      // Mostly empty: a copy goes (short, so from Node's pool) and the buffer stays for the next
      // tick, rather than the socket holding a buffer many times the size of its bytes.
      data = Buffer.allocUnsafe(bytes);
      buffer.copy(data, 0, 0, bytes);
    }
    socket.write(data);
  }

  /** Hands what was gathered to the socket and lets the gather buffer go: no writes follow. */
  end(): void {
    this.flush();
    this.#buffer = EMPTY;
  }

  #writeString(text: string): void {
    // UTF-8 takes 1 to 3 bytes per UTF-16 code unit: the length alone tells most strings short
    // or long, and a short one is encoded straight into the gather buffer.
    const most = 3 * text.length;
    const size = most < GATHER_BELOW ? most : Buffer.byteLength(text);
    if (size >= GATHER_BELOW) {
      this.#writeNow(Buffer.from(text, 'utf8'));
      return;
    }
    this.#reserve(size);
    this.#bytes += this.#buffer.write(text, this.#bytes, 'utf8');
    this.#schedule();
  }

  #writeNow(data: Uint8Array): void {
    this.flush();
    // No copy: this goes to the socket now, in the caller's write(), so from here the socket
    // owns the caller's buffer exactly as with a raw `net.Socket.write` (the kernel takes the
    // bytes in the call, or Node queues this very buffer until it can). Only gathering, which
    // sends later than the call, has to copy to keep that promise.
    this.#socket().write(data);
  }

  #reserve(size: number): void {
    const needed = this.#bytes + size;
    const buffer = this.#buffer;
    if (needed <= buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, 2 * buffer.length, CAPACITY));
    buffer.copy(grown, 0, 0, this.#bytes);
    this.#buffer = grown;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flushLater);
  }
}
