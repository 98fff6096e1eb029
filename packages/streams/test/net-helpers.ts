import type { AddressInfo, Socket } from 'node:net';
import { startServer } from '@corio/streams';
import type { ClientConnectedCallback, Server, StartServerOptions } from '@corio/streams';

/** Starts a server on 127.0.0.1 with a free port; returns it with its port. */
export async function listen(
  onClient: ClientConnectedCallback,
  options?: StartServerOptions,
): Promise<{ server: Server; port: number }> {
  const server = await startServer(onClient, '127.0.0.1', 0, options);
  return { server, port: (server.address() as AddressInfo).port };
}

/** An echo handler: writes back every line until EOF, then closes. */
export const echo: ClientConnectedCallback = async (reader, writer) => {
  for await (const line of reader) {
    writer.write(line);
    await writer.drain();
  }
  writer.close();
  await writer.waitClosed();
};

/**
 * Writes `payload` to `socket` in pieces of `sizes` (in turn), so that the peer's reads fall
 * across the edges of the chunks it receives.
 */
export function writeInPieces(socket: Socket, payload: Buffer, sizes: readonly number[]): void {
  for (let offset = 0, k = 0; offset < payload.length; k++) {
    const n = sizes[k % sizes.length] as number;
    socket.write(payload.subarray(offset, offset + n));
    offset += n;
  }
}

/** Everything `socket` receives until the peer ends, as UTF-8 text. */
export function receiveAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (data: string) => (text += data));
    socket.once('end', () => {
      resolve(text);
    });
  });
}
