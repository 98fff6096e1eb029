import type { TlsOptions } from 'node:tls';
import { checkAddress } from './internal/connect.js';
import { checkServerArguments, listen } from './internal/listen.js';
import type { ClientConnectedCallback, Server } from './server.js';

/** Options for {@link startServer}. */
export interface StartServerOptions {
  /**
   * Serves TLS (asyncio's `ssl`): `tls.createServer` options, at least a `key` and a `cert`.
   * Each handler starts once its client's handshake is done; a client whose handshake fails
   * never reaches it.
   * @default undefined
   */
  tls?: TlsOptions | undefined;
  /**
   * The limit of each client's reader: see `StreamReaderOptions.limit`.
   * @default 65536
   */
  limit?: number | undefined;
  /**
   * The length of the queue of pending connections.
   * @default 511
   */
  backlog?: number | undefined;
  /**
   * Closes the server when aborted (and aborts `startServer` itself if it is still listening).
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/**
 * Starts a TCP server, or a TLS one with `options.tls` (asyncio's `start_server`):
 * `onClient(reader, writer)` runs as a corio task for each connection. Its sockets have Nagle's
 * algorithm off (`TCP_NODELAY`), as asyncio's do.
 *
 * An error thrown by a handler is reported with `console.error` and closes that connection; the
 * other connections are not touched.
 *
 * Each handler runs in a task of its own, not in the task that started the server (as in
 * asyncio): cancelling that task stops neither the server nor its handlers by itself. Have the
 * task `await server.serveForever()`, which closes the server when the task is cancelled, or
 * `close()` it (and `closeClients()` or `abortClients()`) and `await server.waitClosed()`.
 *
 * @param onClient - handles one connection.
 * @param host - the address to listen on; `undefined` for every interface.
 * @param port - the port; 0 picks a free one (see `server.address()`).
 * @param options - see {@link StartServerOptions}.
 * @returns the listening server.
 * @throws `TypeError`/`RangeError` (as rejections) for an invalid callback, host or port; Node's
 * error (`EADDRINUSE`…) if listening fails.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { openConnection, startServer } from '@corio/streams';
 *
 * const server = await startServer(async (reader, writer) => {
 *   const name = (await reader.readLine()).toString().trim();
 *   writer.write(`hello, ${name}\n`);
 *   writer.close();
 * }, '127.0.0.1', 0);
 * const { port } = server.address() as { port: number };
 * const [reader, writer] = await openConnection('127.0.0.1', port);
 * writer.write('corio\n');
 * assert.equal((await reader.readLine()).toString(), 'hello, corio\n');
 * writer.close();
 * server.close();
 * await server.waitClosed();
 * ```
 */
export async function startServer(
  onClient: ClientConnectedCallback,
  host: string | undefined,
  port: number,
  options?: StartServerOptions,
): Promise<Server> {
  const backlog = checkServerArguments('startServer', onClient, options);
  checkAddress('startServer', host, port, 0);
  return listen(onClient, { host: host ?? undefined, port, backlog }, options);
}
