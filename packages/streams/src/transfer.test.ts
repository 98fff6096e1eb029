import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Event } from '@corio/core';
import { openConnection } from '@corio/streams';
import { checkNoLeakedSockets } from '../test/helpers.js';
import { listen } from '../test/net-helpers.js';

checkNoLeakedSockets();

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('a large transfer', () => {
  it('48 MiB echoed through drain() backpressure both ways arrives intact (sha256)', async () => {
    const size = 48 * 1024 * 1024;
    const chunk = 65536;
    const waited = { client: false, server: false };
    // The client reads nothing until the server had to wait for drain(): with a reader as fast
    // as the writer the server's buffer might never fill, and its backpressure go untested.
    const serverBlocked = new Event();
    const { server, port } = await listen(async (reader, writer) => {
      // Echo in 64 KiB pieces: readExactly, write, drain.
      for (let received = 0; received < size; received += chunk) {
        writer.write(await reader.readExactly(chunk));
        if (writer.transport.writableNeedDrain) {
          waited.server = true;
          serverBlocked.set();
        }
        await writer.drain();
      }
      writer.close();
      await writer.waitClosed();
    });
    const data = randomBytes(size);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    const sending = (async () => {
      for (let offset = 0; offset < size; offset += chunk) {
        writer.write(data.subarray(offset, offset + chunk));
        if (writer.transport.writableNeedDrain) waited.client = true;
        await writer.drain();
      }
    })();
    // The client reads what comes back while it still sends: neither side buffers it all.
    await serverBlocked.wait();
    const hash = createHash('sha256');
    let received = 0;
    while (received < size) {
      const piece = await reader.read(1024 * 1024);
      expect(piece.length).toBeGreaterThan(0);
      hash.update(piece);
      received += piece.length;
    }
    await sending;
    expect(received).toBe(size);
    expect(hash.digest('hex')).toBe(sha256(data));
    expect((await reader.read()).length).toBe(0);
    expect(waited).toEqual({ client: true, server: true });
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });
});
