import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { checkAddress, establish } from './internal/connect.js';
import { StreamReader } from './reader.js';
import type { StreamWriter } from './writer.js';

/** Options for {@link openConnection}. */
export interface OpenConnectionOptions {
  /**
   * Connects over TLS (asyncio's `ssl`): `true` for Node's defaults (the system's CAs, the
   * server's name checked against `host`), or `tls.connect` options (`ca`, `servername`,
   * `rejectUnauthorized`, a client `cert` and `key`…). The connection is returned once the
   * handshake is done; a certificate that fails verification rejects with Node's error.
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
  /**
   * The local address to connect from.
   * @default undefined
   */
  localAddress?: string | undefined;
  /**
   * The IP family to resolve `host` to: 4, 6, or 0 for both.
   * @default 0
   */
  family?: 0 | 4 | 6 | undefined;
}

/**
 * Opens a TCP connection and returns its reader and writer (asyncio's `open_connection`).
 *
 * Waiting for the connection (and the TLS handshake) is a corio cancellation point:
 * cancelling the task (or aborting `signal`) destroys the socket. Connection refused, DNS
 * failures and TLS errors reject with Node's own error (`ECONNREFUSED`, `ENOTFOUND`,
 * `DEPTH_ZERO_SELF_SIGNED_CERT`…). The socket has Nagle's algorithm off (`TCP_NODELAY`), as
 * asyncio's do.
 *
 * @param host - the host name or IP address.
 * @param port - the port, from 1 to 65535.
 * @param options - see {@link OpenConnectionOptions}.
 * @returns `[reader, writer]`.
 * @throws `TypeError`/`RangeError` (as rejections) for an invalid host or port.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { openConnection, startServer } from '@corio/streams';
 *
 * const server = await startServer((_reader, writer) => {
 *   writer.write('welcome\n');
 *   writer.close();
 * }, '127.0.0.1', 0);
 * const { port } = server.address() as { port: number };
 * const [reader, writer] = await openConnection('127.0.0.1', port);
 * assert.equal((await reader.readLine()).toString(), 'welcome\n');
 * assert.equal((await reader.read()).length, 0);
 * writer.close();
 * await writer.waitClosed();
 * server.close();
 * await server.waitClosed();
 * ```
 */
export async function openConnection(
  host: string,
  port: number,
  options?: OpenConnectionOptions,
): Promise<[StreamReader, StreamWriter]> {
  checkAddress('openConnection', host, port, 1);
  const signal = options?.signal;
  signal?.throwIfAborted();
  const family: unknown = options?.family ?? 0;
  if (family !== 0 && family !== 4 && family !== 6) {
    throw new RangeError(`openConnection: 'family' must be 0, 4 or 6, received ${String(family)}`);
  }
  const socketFamily: 0 | 4 | 6 = family;
  const reader = new StreamReader({ limit: options?.limit });
  const tls: unknown = options?.tls ?? false;
  if (typeof tls !== 'boolean' && (typeof tls !== 'object' || tls === null)) {
    throw new TypeError(
      `openConnection: 'tls' must be a boolean or an object, received ${tls === null ? 'null' : typeof tls}`,
    );
  }
  const address = {
    host,
    port,
    family: socketFamily,
    ...(options?.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  };
  if (tls === false) {
    // Nagle's algorithm off, as asyncio and node:http do: a reply written in pieces is not held
    // back waiting for the peer's delayed ACK (up to 40 ms per round trip on Linux).
    const socket = connect({ ...address, allowHalfOpen: true, noDelay: true });
    return establish(socket, 'connect', reader, signal);
  }
  const socket = connectTls({
    ...(tls === true ? {} : tls),
    ...address,
    socket: undefined,
    path: undefined,
  });
  socket.setNoDelay(true);
  return establish(socket, 'secureConnect', reader, signal);
}
