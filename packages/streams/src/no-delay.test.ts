import type { Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { Future } from '@corio/core';
import { openConnection } from '@corio/streams';
import type { StreamWriter } from '@corio/streams';
import { checkNoLeakedSockets } from '../test/helpers.js';
import { listen } from '../test/net-helpers.js';
import { makeCertificate } from '../test/tls-helpers.js';
import type { TestCertificate } from '../test/tls-helpers.js';

checkNoLeakedSockets();

// Node keeps a socket's TCP_NODELAY setting under this symbol (22, 24 and 26); it has no getter.
// A TLS server's socket is wrapped around the TCP socket it accepted (its _parent): the setting
// is that one's.
function noDelay(transport: Socket): unknown {
  const socket = (transport as Socket & { _parent?: Socket | null })._parent ?? transport;
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kSetNoDelay');
  return key === undefined ? 'no kSetNoDelay' : (socket as unknown as Record<symbol, unknown>)[key];
}

/** Connects to a server of ours and reports both ends' setting. */
async function bothEnds(tls?: TestCertificate): Promise<{ client: unknown; server: unknown }> {
  const accepted = new Future<StreamWriter>();
  const { server, port } = await listen(
    async (_reader, writer) => {
      accepted.setResult(writer);
      await writer.waitClosed();
    },
    tls === undefined ? undefined : { tls },
  );
  const [, writer] = await openConnection(
    '127.0.0.1',
    port,
    tls === undefined ? undefined : { tls: { ca: tls.cert } },
  );
  const serverSide = await accepted;
  const result = { client: noDelay(writer.transport), server: noDelay(serverSide.transport) };
  writer.close();
  serverSide.close();
  await writer.waitClosed();
  server.close();
  await server.waitClosed();
  return result;
}

describe("Nagle's algorithm is off on both ends, as in asyncio and node:http", () => {
  let certificate: TestCertificate;
  beforeAll(() => {
    certificate = makeCertificate();
  });

  it('over TCP', async () => {
    expect(await bothEnds()).toEqual({ client: true, server: true });
  });

  it('over TLS', async () => {
    expect(await bothEnds(certificate)).toEqual({ client: true, server: true });
  });
});
