// StreamReader over the chunks a socket delivers: reads that hand a received chunk out without
// a copy, reads that span chunks, and the reads that return a buffered line or separator
// without waiting (their cancellation, limits, EOF and errors).
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CancelledError, Event, createTask } from '@corio/core';
import { IncompleteReadError, LimitOverrunError, StreamReader } from '@corio/streams';
import type { StreamWriter } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn } from '../test/helpers.js';
import { listen, receiveAll, writeInPieces } from '../test/net-helpers.js';
import { FEED_CHUNK } from './internal/symbols.js';

checkNoLeakedSockets();

/** An unpooled chunk holding `text`, as a socket's chunk is (its own ArrayBuffer, exactly). */
function chunk(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** Waits (turn by turn, no clock) until `reader` holds at least `n` bytes. */
async function buffered(reader: StreamReader, n: number): Promise<void> {
  while (reader.buffered < n) await nextTurn();
}

/** A server whose one client's reader and writer the test drives; closes with `done`. */
async function peer(): Promise<{
  port: number;
  reader: Promise<StreamReader>;
  writer: Promise<StreamWriter>;
  done: () => Promise<void>;
}> {
  const finished = new Event();
  let accept: (pair: [StreamReader, StreamWriter]) => void = () => undefined;
  const accepted = new Promise<[StreamReader, StreamWriter]>((resolve) => (accept = resolve));
  const { server, port } = await listen(async (reader, writer) => {
    accept([reader, writer]);
    await finished.wait();
    writer.close();
    await writer.waitClosed();
  });
  return {
    port,
    reader: accepted.then(([reader]) => reader),
    writer: accepted.then(([, writer]) => writer),
    done: async () => {
      finished.set();
      server.close();
      await server.waitClosed();
    },
  };
}

describe('StreamReader over received chunks', () => {
  it('read() and readExactly() hand out a whole received chunk as it is, most of one as a view, a short part as a copy', async () => {
    const reader = new StreamReader();
    const first = chunk('a'.repeat(3000));
    reader[FEED_CHUNK](first);
    expect(await reader.readExactly(3000)).toBe(first);
    const second = chunk('b'.repeat(3000));
    reader[FEED_CHUNK](second);
    expect(await reader.read(65536)).toBe(second);
    // Most of one: a view of it.
    const third = chunk('c'.repeat(3000));
    reader[FEED_CHUNK](third);
    const most = await reader.readExactly(2000);
    expect(most.buffer).toBe(third.buffer);
    expect(most.toString()).toBe('c'.repeat(2000));
    // The rest, a third of it: a copy (a view would keep the whole chunk alive).
    const rest = await reader.read(1000);
    expect(rest.buffer).not.toBe(third.buffer);
    expect(rest.toString()).toBe('c'.repeat(1000));
  });

  it('copies reads that span chunks once, with the right bytes, and never writes into a chunk', async () => {
    const reader = new StreamReader();
    const chunks = [chunk('0123456789'), chunk('abcdefghij'), chunk('ABCDEFGHIJ')];
    const copies = chunks.map((c) => Buffer.from(c));
    for (const c of chunks) reader[FEED_CHUNK](c);
    expect((await reader.readExactly(5)).toString()).toBe('01234');
    expect((await reader.readExactly(12)).toString()).toBe('56789abcdefg');
    expect((await reader.read(100)).toString()).toBe('hijABCDEFGHIJ');
    chunks.forEach((c, i) => {
      expect(c.equals(copies[i] as Buffer)).toBe(true);
    });
  });

  it('reads the right bytes across the chunk boundaries of a real socket, whatever the read sizes', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff;
    const received: Buffer[] = [];
    const { server, port } = await listen(async (reader, writer) => {
      const sizes = [1, 4095, 65536, 70_001, 3, 131_072, 65_535];
      let total = 0;
      for (let i = 0; total < size; i++) {
        const n = Math.min(sizes[i % sizes.length] as number, size - total);
        const bytes = i % 3 === 2 ? await reader.read(n) : await reader.readExactly(n);
        received.push(Buffer.from(bytes));
        total += bytes.length;
      }
      writer.write('done\n');
      writer.close();
      await writer.waitClosed();
    });
    const socket = createConnection({ port, host: '127.0.0.1' });
    // Writes of odd sizes, so the reads fall across the chunks' edges.
    writeInPieces(socket, payload, [1000, 65_537, 7, 30_000]);
    const reply = await receiveAll(socket);
    socket.destroy();
    expect(reply).toBe('done\n');
    expect(Buffer.concat(received).equals(payload)).toBe(true);
    server.close();
    await server.waitClosed();
  });
});

describe('StreamReader reads of buffered lines and separators', () => {
  it('a task cancelled while it waits in readLine() or readUntil() loses no bytes: the next read gets them', async () => {
    const { port, reader: serverReader, done } = await peer();
    const socket = createConnection({ port, host: '127.0.0.1' });
    const reader = await serverReader;
    const line = createTask(() => reader.readLine());
    socket.write('par');
    await buffered(reader, 3);
    line.cancel();
    await expect(line).rejects.toBeInstanceOf(CancelledError);
    const more = 'tial\nGET / HTTP/1.1\r\nHost: x\r\n';
    socket.write(more);
    await buffered(reader, 3 + more.length);
    expect((await reader.readLine()).toString()).toBe('partial\n');
    const head = createTask(() => reader.readUntil('\r\n\r\n'));
    await nextTurn();
    head.cancel();
    await expect(head).rejects.toBeInstanceOf(CancelledError);
    socket.write('\r\nbody');
    await buffered(reader, 3 + more.length - 'partial\n'.length + '\r\nbody'.length);
    expect((await reader.readUntil('\r\n\r\n')).toString()).toBe(
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect((await reader.readExactly(4)).toString()).toBe('body');
    socket.destroy();
    await done();
  });

  it('readLine() and readUntil() of one byte return a line that is most of its chunk as a view, a short one or one across chunks as a copy', async () => {
    const reader = new StreamReader({ limit: 64 });
    const whole = chunk('abcdefg;');
    const most = chunk('hijklmn\nop');
    const next = chunk('q\n');
    const short = chunk(`r\n${'s'.repeat(20)}\n`);
    // Fed one by one as they are read: a short chunk behind others is copied into a tail.
    reader[FEED_CHUNK](whole);
    expect(await reader.readUntil(';')).toBe(whole);
    reader[FEED_CHUNK](most);
    const line = await reader.readLine();
    expect(line.toString()).toBe('hijklmn\n');
    expect(line.buffer).toBe(most.buffer);
    reader[FEED_CHUNK](next);
    const across = await reader.readLine();
    expect(across.toString()).toBe('opq\n');
    expect(across.buffer).not.toBe(most.buffer);
    expect(across.buffer).not.toBe(next.buffer);
    reader[FEED_CHUNK](short);
    const copied = await reader.readLine();
    expect(copied.toString()).toBe('r\n');
    expect(copied.buffer).not.toBe(short.buffer);
    expect((await reader.readLine()).buffer).toBe(short.buffer); // the rest: most of it
    expect(most.toString()).toBe('hijklmn\nop');
  });

  it('readUntil() of one byte past the limit throws LimitOverrunError and keeps the buffer', async () => {
    const reader = new StreamReader({ limit: 4 });
    reader[FEED_CHUNK](chunk('cdefgh;'));
    const error = await reader.readUntil(';').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitOverrunError);
    expect((error as LimitOverrunError).consumed).toBe(6);
    expect(reader.buffered).toBe(7);
  });

  it('readUntil() of a buffered separator past the limit throws LimitOverrunError and keeps the buffer, as when it waits', async () => {
    const reader = new StreamReader({ limit: 8 });
    reader[FEED_CHUNK](chunk('short\r\n\r\n'));
    expect((await reader.readUntil('\r\n\r\n')).toString()).toBe('short\r\n\r\n');
    // The same separator again (remembered by the fast path), now too far.
    reader[FEED_CHUNK](chunk('much too long\r\n\r\n'));
    const error = await reader.readUntil('\r\n\r\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitOverrunError);
    expect((error as LimitOverrunError).consumed).toBe(13);
    expect(reader.buffered).toBe(17);
    // readLine discards the overlong line through its '\n', then reads on.
    const overrun = await reader.readLine().catch((e: unknown) => e);
    expect(overrun).toBeInstanceOf(LimitOverrunError);
    expect((await reader.readLine()).toString()).toBe('\r\n');
  });

  it('readUntil() and readLine() with data buffered still fail with the exception set on the reader', async () => {
    const reader = new StreamReader();
    reader[FEED_CHUNK](chunk('line\n\r\n\r\n'));
    const error = new Error('reset');
    reader.setException(error);
    await expect(reader.readLine()).rejects.toBe(error);
    await expect(reader.readUntil('\r\n\r\n')).rejects.toBe(error);
    expect(reader.buffered).toBe(9);
  });

  it('readUntil() at EOF returns a buffered separator, then throws IncompleteReadError with the rest', async () => {
    const reader = new StreamReader();
    reader[FEED_CHUNK](chunk('a\r\n\r\nrest'));
    reader.feedEof();
    expect((await reader.readUntil('\r\n\r\n')).toString()).toBe('a\r\n\r\n');
    const error = await reader.readUntil('\r\n\r\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteReadError);
    expect((error as IncompleteReadError).partial.toString()).toBe('rest');
    expect(reader.atEof()).toBe(true);
  });

  it('readUntil() finds a separator that spans three chunks', async () => {
    const reader = new StreamReader();
    reader[FEED_CHUNK](chunk(`${'h'.repeat(2000)}\r`));
    reader[FEED_CHUNK](chunk('\n'));
    reader[FEED_CHUNK](chunk(`\r\n${'b'.repeat(2000)}`));
    const head = await reader.readUntil('\r\n\r\n');
    expect(head.toString()).toBe(`${'h'.repeat(2000)}\r\n\r\n`);
    expect(reader.buffered).toBe(2000);
  });

  it('readUntil() reads a Uint8Array separator as it is at each call (it is never remembered)', async () => {
    const reader = new StreamReader();
    reader.feedData('a!b?');
    const separator = Buffer.from('!');
    expect((await reader.readUntil(separator)).toString()).toBe('a!');
    separator.write('?');
    expect((await reader.readUntil(separator)).toString()).toBe('b?');
  });
});
