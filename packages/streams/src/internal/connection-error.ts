import type { Socket } from 'node:net';
import { ConnectionResetError, isConnectionResetError } from '../errors.js';

// Node's codes for a connection the peer reset or left: asyncio raises ConnectionResetError
// for a reset (and BrokenPipeError, its sibling, for EPIPE: corio has the one class).
const RESET_CODES: ReadonlySet<unknown> = new Set(['ECONNRESET', 'EPIPE']);

// One translation per socket error, so reads, reader.exception() and drain() report the same
// error object whichever of them meets the failure first (drain() can see the socket's error
// before the 'error' event hands it to the reader).
const translations = new WeakMap<Error, Error>();

/**
 * What reads and `drain()` report for a socket's error: a `ConnectionResetError` whose cause
 * is Node's error for a reset (`ECONNRESET`, `EPIPE`), any other error as it is.
 */
export function connectionError(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (!RESET_CODES.has(code) || isConnectionResetError(error)) return error;
  let translated = translations.get(error);
  if (translated === undefined) {
    translated = new ConnectionResetError(`Connection lost: ${error.message}`, { cause: error });
    translations.set(error, translated);
  }
  return translated;
}

/** What `drain()` reports for a socket that failed or is gone. */
export function lostConnection(socket: Socket): Error {
  // `errored` is set as soon as the socket fails; the 'error' event comes a tick later.
  const error = socket.errored;
  return error === null ? new ConnectionResetError('Connection lost') : connectionError(error);
}
