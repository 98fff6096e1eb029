import { describe, expect, it } from 'vitest';
import { LimitOverrunError, openConnection } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn } from '../test/helpers.js';
import { listen } from '../test/net-helpers.js';

checkNoLeakedSockets();

describe('StreamReader flow control over a socket', () => {
  it('pauses the socket above 2 * limit, resumes below it, and delivers every byte', async () => {
    const size = 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = i % 251;
    const { server, port } = await listen(async (_reader, writer) => {
      writer.write(data);
      await writer.drain();
      writer.close();
      await writer.waitClosed();
    });
    const limit = 4096;
    const [reader, writer] = await openConnection('127.0.0.1', port, { limit });
    const socket = writer.getExtraInfo('socket');
    while (reader.buffered <= 2 * limit) await nextTurn();
    expect(socket.isPaused()).toBe(true);
    // Paused: more turns bring no more bytes into the reader.
    const held = reader.buffered;
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(reader.buffered).toBe(held);
    const received = await reader.readExactly(size);
    expect(received.equals(data)).toBe(true);
    expect((await reader.read()).length).toBe(0);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('a hostile peer sending no newline gets LimitOverrunError with bounded memory', async () => {
    const { server, port } = await listen(async (_reader, writer) => {
      const chunk = Buffer.alloc(65536, 'x');
      try {
        for (;;) {
          writer.write(chunk);
          await writer.drain();
        }
      } catch {
        writer.close();
      }
    });
    const limit = 16 * 1024;
    const [reader, writer] = await openConnection('127.0.0.1', port, { limit });
    const error = await reader.readLine().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitOverrunError);
    for (let i = 0; i < 5; i++) await nextTurn();
    // The line was discarded and the socket paused again: far below the megabytes on offer.
    expect(reader.buffered).toBeLessThanOrEqual(2 * limit + 65536);
    writer.getExtraInfo('socket').destroy();
    await writer.waitClosed();
    server.abortClients();
    server.close();
    await server.waitClosed();
  });
});
