import type { TlsOptions } from 'node:tls';
import { checkPath } from './internal/connect.js';
import { checkServerArguments, listen } from './internal/listen.js';
import { removeStaleSocket } from './internal/stale-socket.js';
import type { ClientConnectedCallback, Server } from './server.js';

/** Options for {@link startUnixServer}. */
export interface StartUnixServerOptions {
  /**
   * Serves TLS over the socket: `tls.createServer` options, as for `startServer`.
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
   * Closes the server when aborted (and aborts `startUnixServer` itself if it is still
   * listening).
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/**
 * Starts a Unix domain socket server (asyncio's `start_unix_server`): `onClient(reader, writer)`
 * runs as a corio task for each connection.
 *
 * The socket file is created by listening and removed once the server is closed, as Node does;
 * `server.address()` returns its path. A stale socket file, one nothing listens on (a crashed
 * server's), is replaced, as in asyncio; to tell it from a live server's, `startUnixServer`
 * connects to it first (a live server sees one connection, closed at once). The path of a live
 * server, or a path that is not a socket, rejects with `EADDRINUSE` and is left as it is.
 *
 * @param onClient - handles one connection.
 * @param path - the socket file's path.
 * @param options - see {@link StartUnixServerOptions}.
 * @returns the listening server.
 * @throws `TypeError`/`RangeError` (as rejections) for an invalid callback or path; Node's error
 * (`EADDRINUSE`, `EACCES`…) if listening fails.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { existsSync, mkdtempSync, rmSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { openUnixConnection, startUnixServer } from '@corio/streams';
 *
 * const dir = mkdtempSync(join(tmpdir(), 'corio-'));
 * const path = join(dir, 'hello.sock');
 * const server = await startUnixServer((_reader, writer) => {
 *   writer.write('hello\n');
 *   writer.close();
 * }, path);
 * assert.equal(server.address(), path);
 * const [reader, writer] = await openUnixConnection(path);
 * assert.equal((await reader.readLine()).toString(), 'hello\n');
 * writer.close();
 * server.close();
 * await server.waitClosed();
 * assert.equal(existsSync(path), false);
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function startUnixServer(
  onClient: ClientConnectedCallback,
  path: string,
  options?: StartUnixServerOptions,
): Promise<Server> {
  const backlog = checkServerArguments('startUnixServer', onClient, options);
  checkPath('startUnixServer', path);
  options?.signal?.throwIfAborted();
  await removeStaleSocket(path);
  return listen(onClient, { path, backlog }, options);
}
