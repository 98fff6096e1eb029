import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { InvalidStateError, createTask, suspend } from '@corio/core';
import type { SignalOptions, Task } from '@corio/core';
import { wrapSocket } from './internal/connect.js';
import { serverWriters } from './internal/start-tls.js';
import { Latch } from './internal/latch.js';
import { ON_CLOSED } from './internal/symbols.js';
import { StreamReader } from './reader.js';
import type { StreamWriter } from './writer.js';

/** Handles one client connection: runs as its own corio task. */
export type ClientConnectedCallback = (
  reader: StreamReader,
  writer: StreamWriter,
) => void | PromiseLike<void>;

/**
 * A listening server made by {@link startServer} or {@link startUnixServer} (asyncio's `Server`).
 *
 * `close()` stops accepting connections and leaves the open ones alone; `closeClients()` closes
 * them gracefully and `abortClients()` destroys them. `waitClosed()` resolves once the server
 * is closed, every connection has ended and every handler task has finished.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { openConnection, startServer } from '@corio/streams';
 *
 * await using server = await startServer(async (reader, writer) => {
 *   for await (const line of reader) {
 *     writer.write(line.toString().toUpperCase());
 *   }
 *   writer.close();
 * }, '127.0.0.1', 0);
 * const { port } = server.address() as { port: number };
 * const [reader, writer] = await openConnection('127.0.0.1', port);
 * writer.write('ping\n');
 * assert.equal((await reader.readLine()).toString(), 'PING\n');
 * writer.writeEof();
 * assert.equal((await reader.read()).length, 0);
 * writer.close();
 * server.close();
 * ```
 */
export class Server implements AsyncDisposable {
  // #closed is set only once #closing, the net server has closed and #handlers is empty;
  // #stopServing is set only while serveForever() waits.
  readonly #server: NetServer;
  readonly #onClient: ClientConnectedCallback;
  readonly #limit: number | undefined;
  readonly #clients = new Set<StreamWriter>();
  readonly #handlers = new Set<Task<void>>();
  readonly #closed = new Latch();
  #closing = false;
  #serverClosed = false;
  #stopServing: (() => void) | undefined = undefined;

  // Private, and left in the published types (which then say `private constructor()`), so that
  // `new Server()` is a type error for users; the package makes servers with `Server.create`.
  /** Use {@link startServer} or {@link startUnixServer}. */
  private constructor(
    server: NetServer,
    onClient: ClientConnectedCallback,
    limit: number | undefined,
    event: 'connection' | 'secureConnection',
  ) {
    this.#server = server;
    this.#onClient = onClient;
    this.#limit = limit;
    server.on(event, (socket: Socket) => {
      this.#accept(socket);
    });
    // A client whose TLS handshake fails is dropped (Node destroys its socket).
    if (event === 'secureConnection') server.on('tlsClientError', () => undefined);
    server.once('close', () => {
      // 'close' comes before libuv releases the listening handle, in the close phase of this
      // turn of the event loop: wait for the next turn, so nothing is left once waitClosed()
      // resolves.
      setImmediate(() => {
        setImmediate(() => {
          this.#serverClosed = true;
          this.#maybeClosed();
        });
      });
    });
  }

  /** @internal Makes a server around a listening-to-be `net`/`tls` server (for listen.ts). */
  static create(
    server: NetServer,
    onClient: ClientConnectedCallback,
    limit: number | undefined,
    event: 'connection' | 'secureConnection' = 'connection',
  ): Server {
    return new Server(server, onClient, limit, event);
  }

  /**
   * The listening address, like `net.Server.address()`: a `net.AddressInfo` for TCP (`null` once
   * closed), the path for a Unix socket.
   */
  address(): AddressInfo | string | null {
    return this.#server.address();
  }

  /** The listening `net.Server`s: one while the server listens, none once it is closed. */
  get sockets(): readonly NetServer[] {
    return this.#closing ? [] : [this.#server];
  }

  /** Whether the server accepts connections. */
  isServing(): boolean {
    return !this.#closing;
  }

  /**
   * Stops accepting connections (asyncio's `close`); open connections stay open. Idempotent.
   */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#server.close();
    this.#stopServing?.();
  }

  /** Closes every client connection after its buffered data is sent (asyncio's `close_clients`). */
  closeClients(): void {
    for (const writer of [...this.#clients]) writer.close();
  }

  /** Destroys every client connection at once (asyncio's `abort_clients`). */
  abortClients(): void {
    for (const writer of [...this.#clients]) writer.transport.destroy();
  }

  /**
   * Resolves once the server is closed, every connection has ended and every handler has
   * finished (asyncio's `wait_closed`). A corio cancellation point when it waits (a
   * `suspend()` wait).
   *
   * @param options - see {@link SignalOptions}.
   */
  waitClosed(options?: SignalOptions): Promise<void> {
    return this.#closed.wait(options);
  }

  /**
   * Serves until the server is closed (asyncio's `serve_forever`). Cancelling the calling task
   * closes the server and waits for `waitClosed()` before the `CancelledError` propagates.
   * Unlike asyncio, a `close()` from elsewhere makes it return normally.
   *
   * @throws `InvalidStateError` if the server is closed or already serving forever.
   */
  async serveForever(): Promise<void> {
    if (this.#closing) throw new InvalidStateError('Cannot serveForever(): the server is closed');
    if (this.#stopServing !== undefined) {
      throw new InvalidStateError('Cannot serveForever(): the server is already serving forever');
    }
    try {
      await suspend<undefined>((resolve) => {
        this.#stopServing = () => {
          this.#stopServing = undefined;
          resolve(undefined);
        };
        return () => {
          this.#stopServing = undefined;
        };
      });
    } catch (error) {
      this.close();
      await this.waitClosed();
      throw error;
    }
  }

  /**
   * `await using server = await startServer(...)`: `close()`, then `waitClosed()`, which also
   * waits for the open connections: close them (or call `closeClients()`) first.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }

  /** Renders the state: `<Server [serving, clients:2, handlers:2]>`. */
  toString(): string {
    const state = this.#closed.done ? 'closed' : this.#closing ? 'closing' : 'serving';
    return `<Server [${state}, clients:${String(this.#clients.size)}, handlers:${String(this.#handlers.size)}]>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const [reader, writer] = wrapSocket(socket, new StreamReader({ limit: this.#limit }));
    this.#clients.add(writer);
    serverWriters.add(writer);
    // The writer's socket, not this one: a TLS upgrade replaces it.
    // Not writer.waitClosed(): this runs in the context of the task that started the server, and
    // that task's cancellation would end the wait and drop the bookkeeping.
    writer[ON_CLOSED](() => {
      this.#clients.delete(writer);
    });
    const onClient = this.#onClient;
    const task = createTask(async () => {
      await onClient(reader, writer);
    });
    this.#handlers.add(task);
    task.addDoneCallback(() => {
      this.#handlers.delete(task);
      if (!task.cancelled()) {
        const error = task.exception();
        if (error !== undefined) {
          console.error('@corio/streams: unhandled error in a client handler', error);
          writer.close();
        }
      }
      this.#maybeClosed();
    });
  }

  #maybeClosed(): void {
    if (this.#serverClosed && this.#handlers.size === 0) this.#closed.set();
  }
}
