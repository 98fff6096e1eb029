import { createServer } from 'node:net';
import type { ListenOptions } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsOptions } from 'node:tls';
import { Future } from '@corio/core';
import { StreamReader } from '../reader.js';
import { Server } from '../server.js';
import type { ClientConnectedCallback } from '../server.js';
import { awaitFuture } from './waiters.js';

/** What `startServer` and `startUnixServer` have in common. */
export interface ListenSettings {
  tls?: TlsOptions | undefined;
  limit?: number | undefined;
  backlog?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Validates the common arguments of the two servers (before anything listens). */
export function checkServerArguments(
  method: string,
  onClient: unknown,
  settings: ListenSettings | undefined,
): number {
  if (typeof onClient !== 'function') {
    throw new TypeError(`${method}: 'onClient' must be a function, received ${typeof onClient}`);
  }
  const backlog = settings?.backlog ?? 511;
  if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0) {
    throw new RangeError(
      `${method}: 'backlog' must be a non-negative integer, received ${String(backlog)}`,
    );
  }
  const tls: unknown = settings?.tls;
  if (tls !== undefined && (typeof tls !== 'object' || tls === null)) {
    throw new TypeError(
      `${method}: 'tls' must be an object, received ${tls === null ? 'null' : typeof tls}`,
    );
  }
  new StreamReader({ limit: settings?.limit }); // validates the limit
  return backlog;
}

/** Creates a server (TLS if asked), listens, and resolves once it is listening. */
export async function listen(
  onClient: ClientConnectedCallback,
  address: ListenOptions,
  settings: ListenSettings | undefined,
): Promise<Server> {
  const signal = settings?.signal;
  signal?.throwIfAborted();
  const tls = settings?.tls;
  const net =
    tls === undefined
      ? createServer({ allowHalfOpen: true })
      : // TLS cannot half-close: a client that hangs up mid-handshake must end its socket.
        createTlsServer({ ...tls, allowHalfOpen: false });
  const event = tls === undefined ? 'connection' : 'secureConnection';
  const server = new Server(net, onClient, settings?.limit, event);
  const listening = new Future<void>();
  const onListening = (): void => {
    if (!listening.done()) listening.setResult(undefined);
  };
  const onError = (error: Error): void => {
    if (!listening.done()) listening.setException(error);
  };
  net.once('listening', onListening);
  net.once('error', onError);
  net.listen(address);
  try {
    await awaitFuture(listening, signal);
  } catch (error) {
    server.close();
    throw error;
  } finally {
    net.off('listening', onListening);
    net.off('error', onError);
  }
  signal?.addEventListener('abort', () => {
    server.close();
  });
  return server;
}
