import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { CipherNameAndProtocol, PeerCertificate } from 'node:tls';
import { InvalidStateError, suspend } from '@corio/core';
import type { SignalOptions } from '@corio/core';
import { lostConnection } from './internal/connection-error.js';
import { extraInfo } from './internal/extra-info.js';
import { Latch } from './internal/latch.js';
import { serverWriters, upgradeToTls } from './internal/start-tls.js';
import { ON_CLOSED } from './internal/symbols.js';
import type { StartTlsOptions } from './start-tls-options.js';
import { WriteBuffer } from './internal/write-buffer.js';
import type { StreamReader } from './reader.js';

const RESOLVED = Promise.resolve();

function toChunk(method: string, data: unknown): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  throw new TypeError(
    `${method}: 'data' must be a string or a Uint8Array, received ${data === null ? 'null' : typeof data}`,
  );
}

/**
 * Writes bytes to a connection (asyncio's `StreamWriter`).
 *
 * `write()` never waits: it buffers, and the short writes made in the same tick leave the
 * process in one system call (copied into one Buffer, handed to the socket in
 * `process.nextTick`; a write of 4 KiB or more goes to the socket at once, after them).
 * `drain()` applies backpressure: it waits while the socket holds more than its high-water
 * mark. Strings are written as UTF-8.
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
  // #closing implies no more writes (and #pending is flushed); #upgrading while startTls() has
  // the connection (the socket changes when it resolves).
  #socket: Socket;
  readonly #reader: StreamReader | undefined;
  readonly #pending = new WriteBuffer(() => this.#socket);
  #closing = false;
  #eofWritten = false;
  #upgrading = false;
  readonly #closed = new Latch();
  readonly #onClose = (): void => {
    this.#closed.set();
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
    if (socket.closed) this.#closed.set();
    else socket.once('close', this.#onClose);
  }

  /** The underlying socket (a `tls.TLSSocket` once `startTls()` has resolved). */
  get transport(): Socket {
    return this.#socket;
  }

  /**
   * Buffers `data` to be sent (asyncio's `write`); it does not wait. Call `drain()` to wait for
   * the buffer to go below its high-water mark.
   *
   * The bytes sent are those `data` holds at the call: a short write is copied, so the caller
   * may reuse its buffer at once. A write of 4 KiB or more is handed to the socket in the call
   * without a copy, as `net.Socket.write` takes it: Node may hold on to it while the socket is
   * busy.
   *
   * @throws `InvalidStateError` after `close()` or `writeEof()`; `TypeError` for other data.
   */
  write(data: string | Uint8Array): void {
    const chunk = toChunk('write', data);
    this.#checkWritable('write');
    // As in asyncio, data written after the peer went away is dropped; drain() reports it.
    if (chunk.length === 0 || this.#socket.destroyed) return;
    this.#pending.write(chunk);
  }

  /**
   * Buffers every chunk of `chunks` (asyncio's `writelines`); they leave in one system call.
   * Each chunk is taken as `write()` takes it, when the iterator yields it (so a producer may
   * reuse one buffer for its short chunks).
   *
   * @throws `InvalidStateError` after `close()` or `writeEof()`; `TypeError` for other data.
   */
  writeLines(chunks: Iterable<string | Uint8Array>): void {
    this.#checkWritable('writeLines');
    for (const data of chunks) this.write(data);
  }

  /**
   * Waits until the socket's buffer is below its high-water mark (asyncio's `drain`). A corio
   * cancellation point when it waits (a `suspend()` wait): a drain() cancelled or aborted
   * leaves the writer as it was, buffered bytes included.
   *
   * @param options - see {@link SignalOptions}.
   * @throws `ConnectionResetError` if the connection is lost (before or during the wait),
   * among them a reset or a write that found the peer gone (Node's `ECONNRESET` or `EPIPE` is
   * its `cause`), as the reads report it; the connection's error if it failed otherwise.
   */
  drain(options?: SignalOptions): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
    const error = this.#reader?.exception();
    if (error !== undefined) return Promise.reject(error);
    const socket = this.#socket;
    // A write that failed in the call (EPIPE) has set `errored` but not yet destroyed the socket.
    if (socket.destroyed || socket.errored !== null) return Promise.reject(lostConnection(socket));
    const pending = this.#pending;
    if (
      pending.length > 0 &&
      pending.length + socket.writableLength >= socket.writableHighWaterMark
    ) {
      pending.flush();
    }
    // Nothing to wait for: no promise made (drain() runs once per write in a loop).
    if (!socket.writableNeedDrain) return RESOLVED;
    return suspend<undefined>(
      (resolve, reject) => {
        const onDrain = (): void => {
          stop();
          resolve(undefined);
        };
        const onClose = (): void => {
          stop();
          // 'error' comes before 'close': the reader has the connection's error by now.
          reject(this.#reader?.exception() ?? lostConnection(socket));
        };
        const stop = (): void => {
          socket.off('drain', onDrain);
          socket.off('close', onClose);
        };
        socket.on('drain', onDrain);
        socket.on('close', onClose);
        return stop;
      },
      { signal, waitingOn: { toString: () => `drain() ${this.toString()}` } },
    );
  }

  /**
   * Closes the connection (asyncio's `close`): the buffered data is sent, then the socket is
   * closed. Idempotent. Wait for the end with `waitClosed()`.
   */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#pending.end();
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
   * point when it waits (a `suspend()` wait).
   *
   * @param options - see {@link SignalOptions}.
   */
  waitClosed(options?: SignalOptions): Promise<void> {
    return this.#closed.wait(options);
  }

  /** Whether the writer is closed or closing. */
  isClosing(): boolean {
    return this.#closing || this.#socket.destroyed;
  }

  /** Whether `writeEof()` is supported: true for TCP and Unix sockets, false for TLS. */
  canWriteEof(): boolean {
    return !(this.#socket instanceof TLSSocket);
  }

  /**
   * Closes the write side after the buffered data is sent (asyncio's `write_eof`); the peer
   * reads EOF and may still send.
   *
   * @throws `InvalidStateError` after `close()`, and on TLS (which cannot half-close, as
   * `canWriteEof()` tells).
   */
  writeEof(): void {
    if (this.#eofWritten) return;
    this.#checkWritable('writeEof');
    if (!this.canWriteEof()) {
      throw new InvalidStateError('Cannot writeEof: a TLS connection cannot be half-closed');
    }
    this.#eofWritten = true;
    this.#pending.end();
    this.#socket.end();
  }

  /**
   * Information about the connection (asyncio's `get_extra_info`): `'peername'` and
   * `'sockname'` (a `net.AddressInfo`, for TCP), `'socket'` (the `net.Socket`, or the
   * `tls.TLSSocket`); on TLS also `'peercert'` (the peer's `tls.PeerCertificate`), `'cipher'`
   * (`tls.CipherNameAndProtocol`) and `'sslObject'` (the `tls.TLSSocket`).
   *
   * @param name - what to get.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { openConnection, startServer } from '@corio/streams';
   *
   * const server = await startServer((_reader, writer) => {
   *   writer.close();
   * }, '127.0.0.1', 0);
   * const { port } = server.address() as { port: number };
   * const [, writer] = await openConnection('127.0.0.1', port);
   * assert.equal(writer.getExtraInfo('peername')?.port, port);
   * assert.equal(writer.getExtraInfo('peercert'), undefined); // not TLS
   * assert.equal(writer.getExtraInfo('nothing', 'default'), 'default');
   * writer.close();
   * await writer.waitClosed();
   * server.close();
   * await server.waitClosed();
   * ```
   */
  getExtraInfo(name: 'peername' | 'sockname'): AddressInfo | undefined;
  getExtraInfo(name: 'socket'): Socket;
  getExtraInfo(name: 'peercert'): PeerCertificate | undefined;
  getExtraInfo(name: 'cipher'): CipherNameAndProtocol | undefined;
  getExtraInfo(name: 'sslObject'): TLSSocket | undefined;
  /**
   * Any other name: `defaultValue` if the connection has no such information (asyncio's
   * `default`).
   *
   * @param name - what to get.
   * @param defaultValue - returned for an unknown or unavailable name.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return extraInfo(this.#socket, name, defaultValue);
  }

  /**
   * Upgrades the connection to TLS (asyncio's `start_tls`), for protocols that agree on it in
   * plain text first (STARTTLS). Once it resolves, this writer and its reader carry TLS; the
   * bytes the reader held before stay readable.
   *
   * The writes made before are sent first, in plain text. The connection of a server's handler
   * takes the server's side of the handshake (give `key` and `cert`), any other the client's,
   * whose certificate checks are those of `tls.connect` (`ca`, `servername`…); `isServer`
   * overrides that. A handshake that fails destroys the connection and rejects with Node's
   * error. A corio cancellation point.
   *
   * @param options - `tls.connect` options (or the server's `key` and `cert`), `isServer` and
   * `signal`: see {@link StartTlsOptions}.
   * @throws `InvalidStateError` after `close()` or `writeEof()`, on a TLS connection or during
   * another upgrade, or for a writer made without a reader; Node's error if the handshake fails.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { execFileSync } from 'node:child_process';
   * import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
   * import { tmpdir } from 'node:os';
   * import { join } from 'node:path';
   * import { openConnection, startServer } from '@corio/streams';
   *
   * // A throwaway self-signed certificate for 127.0.0.1.
   * const dir = mkdtempSync(join(tmpdir(), 'corio-'));
   * const args = [
   *   ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
   *   ...['-subj', '/CN=localhost'],
   *   ...['-addext', 'subjectAltName=IP:127.0.0.1'],
   *   ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
   * ];
   * execFileSync('openssl', args, { stdio: 'ignore' });
   * const key = readFileSync(join(dir, 'key.pem'));
   * const cert = readFileSync(join(dir, 'cert.pem'));
   * rmSync(dir, { recursive: true });
   *
   * const server = await startServer(async (reader, writer) => {
   *   assert.equal((await reader.readLine()).toString(), 'STARTTLS\n');
   *   writer.write('OK\n');
   *   await writer.startTls({ key, cert }); // the server's side
   *   writer.write(`secret: ${(await reader.readLine()).toString()}`);
   *   writer.close();
   * }, '127.0.0.1', 0);
   * const { port } = server.address() as { port: number };
   * const [reader, writer] = await openConnection('127.0.0.1', port);
   * writer.write('STARTTLS\n');
   * assert.equal((await reader.readLine()).toString(), 'OK\n');
   * await writer.startTls({ ca: cert });
   * assert.equal(writer.canWriteEof(), false);
   * writer.write('swordfish\n');
   * assert.equal(
   *   (await reader.readLine()).toString(),
   *   'secret: swordfish\n',
   * );
   * writer.close();
   * await writer.waitClosed();
   * server.close();
   * await server.waitClosed();
   * ```
   */
  async startTls(options: StartTlsOptions = {}): Promise<void> {
    this.#checkWritable('startTls');
    const reader = this.#reader;
    if (reader === undefined) {
      throw new InvalidStateError('Cannot startTls: the StreamWriter was made without a reader');
    }
    if (this.#socket instanceof TLSSocket) {
      throw new InvalidStateError('Cannot startTls: the connection already uses TLS');
    }
    // An already aborted signal leaves the connection as it is: no upgrade begins.
    options.signal?.throwIfAborted();
    this.#upgrading = true;
    try {
      // The plain text written so far goes first (Node holds the TLS bytes back until it left).
      this.#pending.flush();
      await this.drain({ signal: options.signal });
      const plain = this.#socket;
      const isServer = options.isServer ?? serverWriters.has(this);
      const secure = await upgradeToTls(plain, reader, isServer, options);
      plain.off('close', this.#onClose);
      this.#socket = secure;
      if (secure.closed) this.#closed.set();
      else secure.once('close', this.#onClose);
    } finally {
      this.#upgrading = false;
    }
  }

  /** @internal Calls `callback` once the connection is closed (see ON_CLOSED). */
  [ON_CLOSED](callback: () => void): void {
    this.#closed.onDone(callback);
  }

  /** Renders the state: `<StreamWriter [open, buffered:0]>`. */
  toString(): string {
    const state = this.#closed.done ? 'closed' : this.isClosing() ? 'closing' : 'open';
    const buffered = this.#socket.writableLength + this.#pending.length;
    const fields = [state, `buffered:${String(buffered)}`];
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
    if (this.#upgrading) {
      throw new InvalidStateError(`Cannot ${method}: startTls() is in progress`);
    }
  }
}
