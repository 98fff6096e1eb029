// `for await (const line of reader)`: the iterator's order, its end, its errors, and lines that
// stay intact as more data arrives.
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CancelledError, createTask } from '@corio/core';
import { StreamReader } from '@corio/streams';
import { checkNoLeakedSockets, flushMicrotasks, track } from '../../test/helpers.js';
import { listen, receiveAll, writeInPieces } from '../../test/net-helpers.js';

checkNoLeakedSockets();

const text = (result: IteratorResult<Buffer>): string | undefined =>
  result.done === true ? undefined : result.value.toString();

describe('StreamReader[Symbol.asyncIterator]', () => {
  it('yields buffered lines at once, then lines as they arrive, until EOF', async () => {
    const reader = new StreamReader();
    reader.feedData('a\nb\n');
    const lines = reader[Symbol.asyncIterator]();
    expect(text(await lines.next())).toBe('a\n');
    expect(text(await lines.next())).toBe('b\n');
    const waiting = track(lines.next());
    await flushMicrotasks();
    expect(waiting.settled).toBe(false);
    reader.feedData('c');
    reader.feedData('\nd');
    expect(text(await waiting.promise)).toBe('c\n');
    reader.feedEof();
    expect(text(await lines.next())).toBe('d');
    expect((await lines.next()).done).toBe(true);
    expect((await lines.next()).done).toBe(true);
  });

  it('next() calls made while one waits settle in order, as an async generator would', async () => {
    const reader = new StreamReader();
    const lines = reader[Symbol.asyncIterator]();
    const calls = [lines.next(), lines.next(), lines.next(), lines.next()];
    reader.feedData('x\ny\n');
    reader.feedEof();
    const results = await Promise.all(calls);
    expect(results.map(text)).toEqual(['x\n', 'y\n', undefined, undefined]);
  });

  it('a failed read ends the iteration with its error; every later next() is done', async () => {
    const reader = new StreamReader();
    const lines = reader[Symbol.asyncIterator]();
    const first = lines.next();
    const second = lines.next();
    const error = new Error('reset');
    reader.setException(error);
    await expect(first).rejects.toBe(error);
    expect((await second).done).toBe(true);
    reader.feedData('late\n');
    expect((await lines.next()).done).toBe(true);
  });

  it('break (return()) ends the iteration and leaves the rest buffered for the next read', async () => {
    const reader = new StreamReader();
    reader.feedData('one\ntwo\nthree\n');
    for await (const line of reader) {
      expect(line.toString()).toBe('one\n');
      break;
    }
    expect((await reader.readLine()).toString()).toBe('two\n');
    const lines = reader[Symbol.asyncIterator]();
    expect(await lines.return?.()).toEqual({ done: true, value: undefined });
    expect((await lines.next()).done).toBe(true);
    expect(reader.buffered).toBe(6);
  });

  it('a task cancelled while it waits for a line takes nothing: the next read gets the bytes', async () => {
    const reader = new StreamReader();
    reader.feedData('par');
    const task = createTask(async () => {
      for await (const line of reader) return line;
      return undefined;
    });
    await flushMicrotasks();
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    reader.feedData('tial\n');
    expect((await reader.readLine()).toString()).toBe('partial\n');
  });
});

describe('lines read from a socket', () => {
  it('stay as they were read while more data arrives, whichever read returned them', async () => {
    const count = 60_000;
    const payload = Buffer.from(
      Array.from({ length: count }, (_, i) => `${String(i)} ${'x'.repeat(i % 40)}\n`).join(''),
    );
    const kept: Buffer[] = [];
    const { server, port } = await listen(async (reader, writer) => {
      // Three ways to read lines, in turn, keeping every Buffer returned (never copied).
      for (let i = 0; kept.length < count; i++) {
        if (i % 3 === 0) kept.push(await reader.readLine());
        else if (i % 3 === 1) kept.push(await reader.readUntil('\n'));
        else {
          for await (const line of reader) {
            kept.push(line);
            if (kept.length % 1000 === 0 || kept.length === count) break;
          }
        }
      }
      writer.write('done\n');
      writer.close();
      await writer.waitClosed();
    });
    const socket = createConnection({ port, host: '127.0.0.1' });
    // Writes of odd sizes, so lines fall across the chunks' edges.
    writeInPieces(socket, payload, [100, 65_537, 7, 3000, 1]);
    const reply = await receiveAll(socket);
    socket.destroy();
    expect(reply).toBe('done\n');
    expect(kept.length).toBe(count);
    expect(Buffer.concat(kept).equals(payload)).toBe(true);
    server.close();
    await server.waitClosed();
  });
});
