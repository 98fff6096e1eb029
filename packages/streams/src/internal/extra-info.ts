import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** `StreamWriter.getExtraInfo` for the writer's current socket. */
export function extraInfo(socket: Socket, name: string, defaultValue: unknown): unknown {
  const tls = socket instanceof TLSSocket ? socket : undefined;
  switch (name) {
    case 'peername': {
      const { remoteAddress, remoteFamily, remotePort } = socket;
      if (remoteAddress === undefined || remoteFamily === undefined || remotePort === undefined) {
        return defaultValue;
      }
      return { address: remoteAddress, family: remoteFamily, port: remotePort };
    }
    case 'sockname': {
      const address = socket.address();
      return 'port' in address ? address : defaultValue;
    }
    case 'socket':
      return socket;
    case 'peercert': {
      // An empty object when the peer sent no certificate (or the socket is closed).
      const cert = tls?.getPeerCertificate();
      return cert === undefined || Object.keys(cert).length === 0 ? defaultValue : cert;
    }
    case 'cipher':
      return tls?.getCipher() ?? defaultValue;
    case 'sslObject':
      return tls ?? defaultValue;
    default:
      return defaultValue;
  }
}
