import type { Socket } from 'node:net';

/** Writes at least this long go to the socket as they are; shorter ones are gathered. */
export const GATHER_BELOW = 4096;

/**
 * The short writes of one tick, gathered and handed to the socket as one Buffer in
 * `process.nextTick` (one `socket.write`, so one system call, instead of one per write: Node's
 * per-write cost dominates for short lines).
 */
export class WriteBuffer {
  // #bytes is the total length of #chunks; #scheduled while a flush is queued.
  #chunks: Buffer[] = [];
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

  /** Gathers `bytes` (a short write) or, after what was gathered, writes them (a long one). */
  write(bytes: Buffer): void {
    if (bytes.length >= GATHER_BELOW) {
      this.flush();
      this.#socket().write(bytes);
      return;
    }
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flushLater);
    }
  }

  /** Hands what was gathered to the socket now. */
  flush(): void {
    const chunks = this.#chunks;
    if (chunks.length === 0) return;
    const data = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#bytes);
    this.#chunks = [];
    this.#bytes = 0;
    const socket = this.#socket();
    // As in asyncio, data written after the peer went away is dropped; drain() reports it.
    if (!socket.destroyed) socket.write(data);
  }
}
