import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Event } from '@corio/core';
import {
  ConnectionResetError,
  openConnection,
  openUnixConnection,
  startUnixServer,
} from '@corio/streams';
import type { StreamReader, StreamWriter } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn } from '../test/helpers.js';
import { connectionError } from './internal/connection-error.js';
import { echo, listen } from '../test/net-helpers.js';

checkNoLeakedSockets({ pipes: true });

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'corio-reset-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A server that resets the connection (RST) once it has read a line. */
async function resetOnLine(): Promise<{ port: number; close: () => Promise<void> }> {
  const { server, port } = await listen(async (reader, writer) => {
    await reader.readLine();
    writer.transport.resetAndDestroy();
    await writer.waitClosed();
  });
  return {
    port,
    close: async () => {
      server.close();
      await server.waitClosed();
    },
  };
}

/** Every read, and drain(), rejects with exactly `error`. */
async function expectEveryReadToReject(
  reader: StreamReader,
  writer: StreamWriter,
  error: unknown,
): Promise<void> {
  await expect(reader.read()).rejects.toBe(error);
  await expect(reader.read(10)).rejects.toBe(error);
  await expect(reader.readLine()).rejects.toBe(error);
  await expect(reader.readExactly(1)).rejects.toBe(error);
  await expect(reader.readUntil('\r\n')).rejects.toBe(error);
  const iterated = (async () => {
    for await (const line of reader) expect.unreachable(`a line after the reset: ${String(line)}`);
  })();
  await expect(iterated).rejects.toBe(error);
  await expect(writer.drain()).rejects.toBe(error);
  expect(reader.exception()).toBe(error);
}

function expectReset(error: unknown, message: string, code: string): void {
  expect(error).toBeInstanceOf(ConnectionResetError);
  expect((error as ConnectionResetError).message).toBe(message);
  expect((error as ConnectionResetError).code).toBe('ECONNRESET');
  const cause = (error as ConnectionResetError).cause as NodeJS.ErrnoException;
  expect(cause).toBeInstanceOf(Error);
  expect(cause.code).toBe(code);
}

describe('ConnectionResetError on a connection the peer resets', () => {
  it('a read waiting when the peer resets rejects with it, and so does every later read', async () => {
    const { port, close } = await resetOnLine();
    const [reader, writer] = await openConnection('127.0.0.1', port);
    const read = reader.read(10).catch((e: unknown) => e);
    expect(String(reader)).toBe('<StreamReader [buffered:0, waiting]>');
    writer.write('reset\n');
    const error = await read;
    expectReset(error, 'Connection lost: read ECONNRESET', 'ECONNRESET');
    await expectEveryReadToReject(reader, writer, error);
    writer.close();
    await writer.waitClosed();
    await close();
  });

  it('reads made after the reset arrived reject with it too', async () => {
    const { port, close } = await resetOnLine();
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('reset\n');
    await writer.waitClosed();
    const error = reader.exception();
    expectReset(error, 'Connection lost: read ECONNRESET', 'ECONNRESET');
    await expectEveryReadToReject(reader, writer, error);
    await close();
  });

  it('drain() waiting when the peer resets rejects with the error the reads get', async () => {
    const release = new Event();
    const { server, port } = await listen(async (_reader, writer) => {
      await release.wait();
      writer.transport.resetAndDestroy();
      await writer.waitClosed();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    // The server never reads: the kernel buffers fill and drain() has to wait.
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 64; i++) writer.write(chunk);
    const drained = writer.drain().catch((e: unknown) => e);
    await nextTurn();
    expect(writer.getExtraInfo('socket').writableNeedDrain).toBe(true);
    release.set();
    const error = await drained;
    expectReset(error, 'Connection lost: read ECONNRESET', 'ECONNRESET');
    await expectEveryReadToReject(reader, writer, error);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('a write to a peer that is gone (EPIPE) fails drain(), at once, then the reads', async () => {
    const gone = new Event();
    const path = join(dir, 'epipe.sock');
    const server = await startUnixServer(async (_reader, writer) => {
      writer.close();
      await writer.waitClosed();
      gone.set();
    }, path);
    const [reader, writer] = await openUnixConnection(path);
    expect((await reader.read()).length).toBe(0);
    await gone.wait();
    // Long enough to reach the socket in the call: the write fails there and then.
    writer.write(Buffer.alloc(8192));
    const error = await writer.drain().catch((e: unknown) => e);
    expectReset(error, 'Connection lost: write EPIPE', 'EPIPE');
    await writer.waitClosed();
    await expectEveryReadToReject(reader, writer, error);
    server.close();
    await server.waitClosed();
  });

  it("leaves other errors as they are: reads and drain() reject with the socket's own error", async () => {
    const { server, port } = await listen(echo);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    const failure = Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' });
    writer.getExtraInfo('socket').destroy(failure);
    await expect(writer.drain()).rejects.toBe(failure);
    await writer.waitClosed();
    await expectEveryReadToReject(reader, writer, failure);
    server.close();
    await server.waitClosed();
  });
});

describe('connectionError', () => {
  it('translates a reset once, and leaves ConnectionResetError and other errors as they are', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const translated = connectionError(reset);
    expectReset(translated, 'Connection lost: read ECONNRESET', 'ECONNRESET');
    expect(connectionError(reset)).toBe(translated);
    expect(connectionError(translated)).toBe(translated);
    const pipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expectReset(connectionError(pipe), 'Connection lost: write EPIPE', 'EPIPE');
    const other = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(connectionError(other)).toBe(other);
  });
});
