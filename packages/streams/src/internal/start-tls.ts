import type { Socket } from 'node:net';
import { TLSSocket, connect } from 'node:tls';
import type { StreamReader } from '../reader.js';
import type { StartTlsOptions } from '../start-tls-options.js';
import type { StreamWriter } from '../writer.js';
import { attachReader, detachReader } from './attach.js';
import { awaitSocket } from './await-socket.js';

/** The writers of the connections a server accepted: `startTls` takes the server side. */
export const serverWriters = new WeakSet<StreamWriter>();

/**
 * Moves a connection to TLS: `reader` is fed by the returned TLS socket once this resolves. The
 * plain socket's written bytes go out first (Node waits for them); bytes it has received but
 * not yet emitted are handed to TLS, as they came after the upgrade was agreed.
 */
export async function upgradeToTls(
  socket: Socket,
  reader: StreamReader,
  isServer: boolean,
  options: StartTlsOptions,
): Promise<TLSSocket> {
  const { signal, ...tlsOptions } = options;
  detachReader(socket);
  // The TLS socket inherits this: TLS cannot half-close, and a peer that hangs up mid-handshake
  // must end the connection rather than leave it half open.
  socket.allowHalfOpen = false;
  const secure = isServer
    ? new TLSSocket(socket, { ...tlsOptions, isServer: true })
    : connect({ ...tlsOptions, socket });
  attachReader(secure, reader);
  await awaitSocket(secure, isServer ? 'secure' : 'secureConnect', signal);
  return secure;
}
