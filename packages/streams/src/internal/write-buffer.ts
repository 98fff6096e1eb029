import type { Socket } from 'node:net';

/** Writes at least this long go to the socket as they are; shorter ones are gathered. */
export const GATHER_BELOW = 4096;

// The size of a gather slab: the short writes of many ticks usually fit in one. A writer keeps
// its slab between ticks (it is let go by end()).
const CAPACITY = 8192;
const MAX_SLAB = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * The short writes of one tick, gathered and handed to the socket as one Buffer in
 * `process.nextTick` (one `socket.write`, so one system call, instead of one per write: Node's
 * per-write cost dominates for short lines).
 *
 * A short write is copied into the gather slab when it is made, not when the tick ends: the
 * caller may change or reuse its buffer as soon as `write()` returns (a raw `net.Socket.write`
 * of a short chunk to an idle socket hands the bytes to the kernel in the call, and callers
 * rely on that). The slab is append-only: a flush hands the socket a view of the bytes
 * gathered since the last one, without a copy, and the next ticks gather after them; bytes
 * handed to the socket (which may hold on to them until the kernel has them) are never written
 * into again. A full slab is replaced by a new one.
 */
export class WriteBuffer {
  // #slab[#start, #end) holds the gathered writes not yet handed to the socket (copies, ours
  // alone); #slab[0, #start) was handed over and is never written again; #scheduled while a
  // flush is queued.
  #slab: Buffer = EMPTY;
  #start = 0;
  #end = 0;
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
    return this.#end - this.#start;
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
    this.#slab.set(data, this.#end);
    this.#end += data.length;
    this.#schedule();
  }

  /** Hands what was gathered to the socket now. */
  flush(): void {
    const start = this.#start;
    const end = this.#end;
    if (end === start) return;
    this.#start = end;
    const socket = this.#socket();
    // As in asyncio, data written after the peer went away is dropped; drain() reports it.
    if (socket.destroyed) return;
    socket.write(this.#slab.subarray(start, end));
  }

  /** Hands what was gathered to the socket and lets the slab go: no writes follow. */
  end(): void {
    this.flush();
    this.#slab = EMPTY;
    this.#start = 0;
    this.#end = 0;
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
    this.#end += this.#slab.write(text, this.#end, 'utf8');
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

  /** Makes room for `size` more bytes after #end, in a new slab if this one is full. */
  #reserve(size: number): void {
    const end = this.#end;
    const slab = this.#slab;
    if (end + size <= slab.length) return;
    // The bytes not yet handed over move to the new slab; the old one is left to the socket. A
    // slab grows by doubling within a tick, and a writer whose ticks gather much keeps large
    // slabs (up to MAX_SLAB) rather than growing one every tick.
    const pending = end - this.#start;
    const length = Math.max(pending + size, 2 * pending, Math.min(slab.length, MAX_SLAB), CAPACITY);
    const fresh = Buffer.allocUnsafeSlow(length);
    slab.copy(fresh, 0, this.#start, end);
    this.#slab = fresh;
    this.#start = 0;
    this.#end = pending;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flushLater);
  }
}
