import { connect } from 'node:net';
import { Future } from '@corio/core';
import { checkAddress, wrapSocket } from './internal/connect.js';
import { awaitFuture } from './internal/waiters.js';
import { StreamReader } from './reader.js';
import type { StreamWriter } from './writer.js';

/** Options for {@link openConnection}. */
export interface OpenConnectionOptions {
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
 * Waiting for the connection is a corio cancellation point: cancelling the task (or aborting
 * `signal`) destroys the socket. Connection refused and DNS failures reject with Node's own
 * error (`ECONNREFUSED`, `ENOTFOUND`).
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
  const socket = connect({
    host,
    port,
    family: socketFamily,
    allowHalfOpen: true,
    ...(options?.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  });
  // 'close' comes once the handle is released (`socket.closed` is set before that).
  const closed = new Promise((resolve) => socket.once('close', resolve));
  // Wired at once, so no socket event can go unheard.
  const streams = wrapSocket(socket, reader);
  const connected = new Future<void>();
  const onConnect = (): void => {
    if (!connected.done()) connected.setResult(undefined);
  };
  const onError = (error: Error): void => {
    if (!connected.done()) connected.setException(error);
  };
  socket.once('connect', onConnect);
  socket.once('error', onError);
  try {
    await awaitFuture(connected, signal);
  } catch (error) {
    // Reject only once the socket's handle is released, so a failed attempt leaves nothing open.
    socket.destroy();
    await closed;
    throw error;
  } finally {
    socket.off('connect', onConnect);
    socket.off('error', onError);
  }
  return streams;
}
