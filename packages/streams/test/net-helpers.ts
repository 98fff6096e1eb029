import type { AddressInfo } from 'node:net';
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
