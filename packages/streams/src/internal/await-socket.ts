import type { Socket } from 'node:net';
import { suspend } from '@corio/core';
import { ConnectionResetError } from '../errors.js';

/**
 * Waits for a new socket to emit `event` ('connect', 'secureConnect', or 'secure' for a server
 * side TLS upgrade): a `suspend()` wait. On failure, cancellation or abort the socket is
 * destroyed and the call rejects only once its handle is released, so a failed attempt leaves
 * nothing open (which is why this is an async function, not the wait's own promise).
 */
export async function awaitSocket(
  socket: Socket,
  event: 'connect' | 'secureConnect' | 'secure',
  signal: AbortSignal | undefined,
): Promise<void> {
  // 'close' comes once the handle is released (`socket.closed` is set before that).
  const closed = new Promise((resolve) => socket.once('close', resolve));
  try {
    await suspend<undefined>(
      (resolve, reject) => {
        const onConnect = (): void => {
          stop();
          resolve(undefined);
        };
        const onError = (error: Error): void => {
          stop();
          reject(error);
        };
        // A TLS peer may hang up mid-handshake without an error on this side.
        const onClose = (): void => {
          onError(new ConnectionResetError('Connection lost before it was established'));
        };
        const stop = (): void => {
          socket.off(event, onConnect);
          socket.off('error', onError);
          socket.off('close', onClose);
        };
        socket.once(event, onConnect);
        socket.once('error', onError);
        socket.once('close', onClose);
        return stop;
      },
      { signal },
    );
  } catch (error) {
    socket.destroy();
    await closed;
    throw error;
  }
}
