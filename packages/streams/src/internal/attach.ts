import type { Socket } from 'node:net';
import type { StreamReader } from '../reader.js';
import { connectionError } from './connection-error.js';
import { FEED_CHUNK, SET_TRANSPORT } from './symbols.js';

// The listeners each fed socket carries, so a TLS upgrade can take them off the plain socket.
const detachers = new WeakMap<Socket, () => void>();

/** Feeds `reader` from `socket`: data, EOF, errors, and the reader's flow control. */
export function attachReader(socket: Socket, reader: StreamReader): void {
  reader[SET_TRANSPORT](socket);
  const onData = (data: Buffer): void => {
    reader[FEED_CHUNK](data);
  };
  const onEnd = (): void => {
    reader.feedEof();
  };
  const onError = (error: Error): void => {
    reader.setException(connectionError(error));
  };
  const onClose = (): void => {
    // The connection is gone: a reader waiting for more data sees EOF (or the error).
    if (reader.exception() === undefined && !reader.atEof()) reader.feedEof();
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onError);
  socket.on('close', onClose);
  detachers.set(socket, () => {
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onError);
    socket.off('close', onClose);
    detachers.delete(socket);
  });
}

/** Stops feeding a reader from `socket` (before its handle passes to a TLS socket). */
export function detachReader(socket: Socket): void {
  detachers.get(socket)?.();
}
