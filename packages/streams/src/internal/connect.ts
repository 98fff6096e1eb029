import type { Socket } from 'node:net';
import type { StreamReader } from '../reader.js';
import { StreamWriter } from '../writer.js';
import { SET_TRANSPORT } from './symbols.js';

/** Wires a connected socket to a new reader and writer. */
export function wrapSocket(socket: Socket, reader: StreamReader): [StreamReader, StreamWriter] {
  reader[SET_TRANSPORT](socket);
  socket.on('data', (data: Buffer) => {
    reader.feedData(data);
  });
  socket.on('end', () => {
    reader.feedEof();
  });
  socket.on('error', (error) => {
    reader.setException(error);
  });
  socket.on('close', () => {
    // The connection is gone: a reader waiting for more data sees EOF (or the error).
    if (reader.exception() === undefined && !reader.atEof()) reader.feedEof();
  });
  const writer = new StreamWriter(socket, reader);
  return [reader, writer];
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
