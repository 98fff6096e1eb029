import type { Socket } from 'node:net';
import type { StreamReader } from '../reader.js';
import { StreamWriter } from '../writer.js';
import { attachReader } from './attach.js';
import { awaitSocket } from './await-socket.js';

/** Wires a connected socket to a new reader and writer. */
export function wrapSocket(socket: Socket, reader: StreamReader): [StreamReader, StreamWriter] {
  attachReader(socket, reader);
  const writer = new StreamWriter(socket, reader);
  return [reader, writer];
}

/** Wires a new socket to `reader` and a new writer, and waits for it to connect. */
export async function establish(
  socket: Socket,
  event: 'connect' | 'secureConnect',
  reader: StreamReader,
  signal: AbortSignal | undefined,
): Promise<[StreamReader, StreamWriter]> {
  // Wired at once, so no socket event can go unheard.
  const streams = wrapSocket(socket, reader);
  await awaitSocket(socket, event, signal);
  return streams;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Validates a host and a port, as `openConnection` and `startServer` take them. */
export function checkAddress(method: string, host: unknown, port: unknown, minPort: number): void {
  if (host !== undefined && host !== null && typeof host !== 'string') {
    throw new TypeError(`${method}: 'host' must be a string, received ${typeof host}`);
  }
  if (typeof host === 'string' && (host.length === 0 || /[\s/]/.test(host))) {
    throw new TypeError(
      `${method}: 'host' must be a host name or an IP address, received ${describe(host)}`,
    );
  }
  if (typeof port !== 'number') {
    throw new TypeError(`${method}: 'port' must be a number, received ${typeof port}`);
  }
  if (!Number.isInteger(port) || port < minPort || port > 65535) {
    throw new RangeError(
      `${method}: 'port' must be an integer from ${String(minPort)} to 65535, received ${describe(port)}`,
    );
  }
}

/** Validates a Unix socket path. */
export function checkPath(method: string, path: unknown): void {
  if (typeof path !== 'string') {
    throw new TypeError(`${method}: 'path' must be a string, received ${typeof path}`);
  }
  if (path.length === 0 || path.includes('\0')) {
    throw new TypeError(`${method}: 'path' must be a socket path, received ${describe(path)}`);
  }
}
