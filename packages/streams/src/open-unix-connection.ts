import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { checkPath, establish } from './internal/connect.js';
import { StreamReader } from './reader.js';
import type { StreamWriter } from './writer.js';

/** Options for {@link openUnixConnection}. */
export interface OpenUnixConnectionOptions {
  /**
   * Connects over TLS: `true` or `tls.connect` options, as for `openConnection` (give a
   * `servername` or a `checkServerIdentity` to verify the server's certificate).
   * @default false
   */
  tls?: boolean | ConnectionOptions | undefined;
  /**
   * The reader's limit: see `StreamReaderOptions.limit`.
   * @default 65536
   */
  limit?: number | undefined;
  /**
   * Aborts the connection attempt, rejecting with the signal's reason.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/**
 * Opens a Unix domain socket connection and returns its reader and writer (asyncio's
 * `open_unix_connection`).
 *
 * Waiting for the connection is a corio cancellation point, as for `openConnection`. A missing
 * socket file rejects with Node's `ENOENT`, a socket nobody listens on with `ECONNREFUSED`.
 *
 * @param path - the socket file's path.
 * @param options - see {@link OpenUnixConnectionOptions}.
 * @returns `[reader, writer]`.
 * @throws `TypeError` (as a rejection) for an invalid path.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { mkdtempSync, rmSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { openUnixConnection, startUnixServer } from '@corio/streams';
 *
 * const dir = mkdtempSync(join(tmpdir(), 'corio-'));
 * const path = join(dir, 'echo.sock');
 * const server = await startUnixServer(async (reader, writer) => {
 *   writer.write(await reader.readLine());
 *   writer.close();
 * }, path);
 * const [reader, writer] = await openUnixConnection(path);
 * writer.write('over a Unix socket\n');
 * assert.equal(
 *   (await reader.readLine()).toString(),
 *   'over a Unix socket\n',
 * );
 * writer.close();
 * await writer.waitClosed();
 * server.close();
 * await server.waitClosed();
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function openUnixConnection(
  path: string,
  options?: OpenUnixConnectionOptions,
): Promise<[StreamReader, StreamWriter]> {
  checkPath('openUnixConnection', path);
  const signal = options?.signal;
  signal?.throwIfAborted();
  const reader = new StreamReader({ limit: options?.limit });
  const tls: unknown = options?.tls ?? false;
  if (typeof tls !== 'boolean' && (typeof tls !== 'object' || tls === null)) {
    throw new TypeError(
      `openUnixConnection: 'tls' must be a boolean or an object, received ${tls === null ? 'null' : typeof tls}`,
    );
  }
  if (tls === false) {
    return establish(connect({ path, allowHalfOpen: true }), 'connect', reader, signal);
  }
  const socket = connectTls({ ...(tls === true ? {} : tls), path, socket: undefined });
  return establish(socket, 'secureConnect', reader, signal);
}
