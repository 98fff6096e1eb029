import type { AddressInfo, Socket } from 'node:net';
import { Future, InvalidStateError } from '@corio/core';
import { ConnectionResetError } from './errors.js';
import type { StreamReader } from './reader.js';
import { OneShot, awaitFuture } from './internal/waiters.js';
import type { StreamWaitOptions } from './internal/waiters.js';

function toChunk(method: string, data: unknown): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  throw new TypeError(
    `${method}: 'data' must be a string or a Uint8Array, received ${data === null ? 'null' : typeof data}`,
  );
}

/**
 * Writes bytes to a connection (asyncio's `StreamWriter`).
 *
 * `write()` never waits: it buffers, and the writes made in the same tick leave the process in
 * one system call (the socket is corked on the first write of a tick and uncorked in
 * `process.nextTick`). `drain()` applies backpressure: it waits while the socket holds more than
 * its high-water mark. Strings are written as UTF-8.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { openConnection, startServer } from '@corio/streams';
 *
 * const server = await startServer(async (reader, writer) => {
 *   writer.write(await reader.readLine());
 *   await writer.drain();
 *   writer.close();
 *   await writer.waitClosed();
 * }, '127.0.0.1', 0);
 * const { port } = server.address() as { port: number };
 * const [reader, writer] = await openConnection('127.0.0.1', port);
 * writer.writeLines(['he', 'llo\n']);
 * await writer.drain();
 * assert.equal((await reader.readLine()).toString(), 'hello\n');
 * writer.close();
 * await writer.waitClosed();
 * server.close();
 * await server.waitClosed();
 * ```
 */
export class StreamWriter {
  // #closing implies no more writes; #corked implies an uncork is queued in process.nextTick.
  readonly #socket: Socket;
  readonly #reader: StreamReader | undefined;
  #corked = false;
  #closing = false;
  #eofWritten = false;
  readonly #closed = new OneShot();
  readonly #flush = (): void => {
    this.#corked = false;
    this.#socket.uncork();
  };

  /**
   * Wraps a connected socket. `openConnection` and `startServer` make writers; use this only to
   * wrap a socket of your own.
   *
   * @param socket - the socket to write to.
   * @param reader - the reader of the same connection, whose error `drain()` reports.
   */
  constructor(socket: Socket, reader?: StreamReader) {
    this.#socket = socket;
    this.#reader = reader;
    if (socket.closed) this.#closed.resolve();
    else {
      socket.once('close', () => {
        this.#closed.resolve();
      });
    }
  }

  /** The underlying socket. */
  get transport(): Socket {
    return this.#socket;
  }

  /**
   * Buffers `data` to be sent (asyncio's `write`); it does not wait. Call `drain()` to wait for
   * the buffer to go below its high-water mark.
   *
   * @throws `InvalidStateError` after `close()` or `writeEof()`; `TypeError` for other data.
   */
  write(data: string | Uint8Array): void {
    const chunk = toChunk('write', data);
    this.#checkWritable('write');
    // As in asyncio, data written after the peer went away is dropped; drain() reports it.
    if (chunk.length === 0 || this.#socket.destroyed) return;
    this.#cork();
    this.#socket.write(chunk);
  }

  /**
   * Buffers every chunk of `chunks` (asyncio's `writelines`); they leave in one system call.
   *
   * @throws `InvalidStateError` after `close()` or `writeEof()`; `TypeError` for other data.
   */
  writeLines(chunks: Iterable<string | Uint8Array>): void {
    this.#checkWritable('writeLines');
    for (const data of chunks) this.write(data);
  }

  /**
   * Waits until the socket's buffer is below its high-water mark (asyncio's `drain`). A corio
   * cancellation point.
   *
   * @param options - `{ signal }`.
   * @throws the connection's error if it failed; `ConnectionResetError` if the connection is
   * lost (before or during the wait).
   */
  async drain(options?: StreamWaitOptions): Promise<void> {
    const error = this.#reader?.exception();
    if (error !== undefined) throw error;
    const socket = this.#socket;
    if (socket.destroyed) throw new ConnectionResetError('Connection lost');
    if (!socket.writableNeedDrain) return;
    const future = new Future<void>();
    const onDrain = (): void => {
      if (!future.done()) future.setResult(undefined);
    };
    const onClose = (): void => {
      if (!future.done()) future.setException(new ConnectionResetError('Connection lost'));
    };
    socket.on('drain', onDrain);
    socket.on('close', onClose);
    try {
      await awaitFuture(future, options?.signal);
    } finally {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
    }
  }

  /**
   * Closes the connection (asyncio's `close`): the buffered data is sent, then the socket is
   * closed. Idempotent. Wait for the end with `waitClosed()`.
   */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (socket.writableFinished) {
      socket.destroy();
      return;
    }
    socket.end(() => socket.destroy());
  }

  /**
   * Resolves once the connection is closed (asyncio's `wait_closed`). A corio cancellation
   * point.
   *
   * @param options - `{ signal }`.
   */
  waitClosed(options?: StreamWaitOptions): Promise<void> {
    return this.#closed.wait(options?.signal);
  }

  /** Whether the writer is closed or closing. */
  isClosing(): boolean {
    return this.#closing || this.#socket.destroyed;
  }

  /** Whether `writeEof()` is supported: true for TCP. */
  canWriteEof(): boolean {
    return true;
  }

  /**
   * Closes the write side after the buffered data is sent (asyncio's `write_eof`); the peer
   * reads EOF and may still send.
   *
   * @throws `InvalidStateError` after `close()`.
   */
  writeEof(): void {
    if (this.#eofWritten) return;
    this.#checkWritable('writeEof');
    this.#eofWritten = true;
    this.#socket.end();
  }

  /**
   * Information about the connection (asyncio's `get_extra_info`): `'peername'` and
   * `'sockname'` (a `net.AddressInfo`), `'socket'` (the `net.Socket`).
   *
   * @param name - what to get.
   * @param defaultValue - returned for an unknown or unavailable name.
   */
  getExtraInfo(name: 'peername' | 'sockname'): AddressInfo | undefined;
  getExtraInfo(name: 'socket'): Socket;
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    const socket = this.#socket;
    switch (name) {
      case 'peername': {
        const { remoteAddress, remoteFamily, remotePort } = socket;
        if (remoteAddress === undefined || remoteFamily === undefined || remotePort === undefined) {
          return defaultValue;
        }
        return { address: remoteAddress, family: remoteFamily, port: remotePort };
      }
      case 'sockname': {
        const address = socket.address();
        return 'port' in address ? address : defaultValue;
      }
      case 'socket':
        return socket;
      default:
        return defaultValue;
    }
  }

  /** Renders the state: `<StreamWriter [open, buffered:0]>`. */
  toString(): string {
    const state = this.#closed.done ? 'closed' : this.isClosing() ? 'closing' : 'open';
    const fields = [state, `buffered:${String(this.#socket.writableLength)}`];
    if (this.#eofWritten) fields.push('eof');
    return `<StreamWriter [${fields.join(', ')}]>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  #checkWritable(method: string): void {
    if (this.#closing) throw new InvalidStateError(`Cannot ${method}: the StreamWriter is closed`);
    if (this.#eofWritten) {
      throw new InvalidStateError(`Cannot ${method}: writeEof() was called`);
    }
  }

  #cork(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#socket.cork();
    process.nextTick(this.#flush);
  }
}
