import { createServer } from 'node:net';
import type { ListenOptions } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsOptions } from 'node:tls';
import { suspend } from '@corio/core';
import { StreamReader } from '../reader.js';
import { Server } from '../server.js';
import type { ClientConnectedCallback } from '../server.js';

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

/**
 * Creates a server (TLS if asked), listens, and resolves once it is listening. Waiting for that
 * is a `suspend()` wait: cancelled (or aborted) it closes the server; cancelled before it began,
 * it never listens.
 */
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
      ? createServer({ allowHalfOpen: true, noDelay: true }) // Nagle off, as openConnection
      : // TLS cannot half-close: a client that hangs up mid-handshake must end its socket.
        createTlsServer({ ...tls, allowHalfOpen: false, noDelay: true });
  const event = tls === undefined ? 'connection' : 'secureConnection';
  const server = Server.create(net, onClient, settings?.limit, event);
  try {
    await suspend<undefined>(
      (resolve, reject) => {
        const onListening = (): void => {
          stop();
          resolve(undefined);
        };
        const onError = (error: Error): void => {
          stop();
          reject(error);
        };
        const stop = (): void => {
          net.off('listening', onListening);
          net.off('error', onError);
        };
        net.once('listening', onListening);
        net.once('error', onError);
        net.listen(address);
        return stop;
      },
      { signal },
    );
  } catch (error) {
    server.close();
    throw error;
  }
  signal?.addEventListener('abort', () => {
    server.close();
  });
  return server;
}
