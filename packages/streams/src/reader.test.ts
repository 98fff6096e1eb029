import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  InvalidStateError,
  TimeoutError,
  createTask,
  sleep,
  waitFor,
} from '@corio/core';
import { IncompleteReadError, LimitOverrunError, StreamReader } from '@corio/streams';
import { flushMicrotasks, track } from '../test/helpers.js';
import { FEED_CHUNK, SET_TRANSPORT } from './internal/symbols.js';

function readerWith(data: string, options?: { limit?: number; eof?: boolean }): StreamReader {
  const reader = new StreamReader({ limit: options?.limit });
  reader.feedData(data);
  if (options?.eof ?? false) reader.feedEof();
  return reader;
}

const text = (buffer: Buffer): string => buffer.toString();

describe('StreamReader.read', () => {
  it('read(n) returns up to n buffered bytes', async () => {
    const reader = readerWith('hello');
    expect(text(await reader.read(3))).toBe('hel');
    expect(text(await reader.read(10))).toBe('lo');
    expect(reader.buffered).toBe(0);
  });

  it('read(n) waits for data, then returns what arrived', async () => {
    const reader = new StreamReader();
    const read = track(reader.read(10));
    await flushMicrotasks();
    expect(read.settled).toBe(false);
    reader.feedData('abc');
    expect(text(await read.promise)).toBe('abc');
  });

  it('read() reads until EOF', async () => {
    const reader = new StreamReader({ limit: 2 });
    const read = track(reader.read());
    reader.feedData('abc');
    reader.feedData('def');
    await flushMicrotasks();
    expect(read.settled).toBe(false);
    reader.feedEof();
    expect(text(await read.promise)).toBe('abcdef');
    expect(reader.atEof()).toBe(true);
  });

  it('read(0) returns an empty buffer at once, even with nothing buffered', async () => {
    const reader = new StreamReader();
    expect((await reader.read(0)).length).toBe(0);
    reader.feedData('x');
    expect((await reader.read(0)).length).toBe(0);
    expect(reader.buffered).toBe(1);
  });

  it('returns an empty buffer at EOF', async () => {
    const reader = readerWith('', { eof: true });
    expect((await reader.read(5)).length).toBe(0);
    expect((await reader.read()).length).toBe(0);
  });

  it('returns copies that later feeds do not change', async () => {
    const reader = new StreamReader();
    const chunk = Buffer.from('abcd');
    reader.feedData(chunk);
    const first = await reader.read(2);
    reader.feedData('efgh');
    const rest = await reader.read(6);
    expect(text(first)).toBe('ab');
    expect(text(rest)).toBe('cdefgh');
    expect(chunk.toString()).toBe('abcd');
  });
});

describe('StreamReader.feedData', () => {
  it('takes the bytes as they are at the call: the caller may change its buffer afterwards', async () => {
    const reader = new StreamReader();
    // Fed to an empty reader, which would otherwise keep the chunk itself.
    const chunk = Buffer.from('abcd');
    reader.feedData(chunk);
    chunk.write('wxyz');
    const backing = new Uint8Array(8).fill(0x2e);
    backing.set(Buffer.from('ef'), 2);
    reader.feedData(backing.subarray(2, 4));
    backing.fill(0x21);
    expect(text(await reader.read(6))).toBe('abcdef');
    // Large, and read whole: a read may return a view of the reader's memory.
    const large = Buffer.alloc(100_000, 'a');
    reader.feedData(large);
    large.fill('b');
    const read = await reader.readExactly(100_000);
    large.fill('c');
    expect(read.equals(Buffer.alloc(100_000, 'a'))).toBe(true);
  });

  it("keeps a socket's chunk as it is (FEED_CHUNK), with no copy", async () => {
    const reader = new StreamReader();
    const chunk = Buffer.allocUnsafeSlow(64).fill('s');
    reader[FEED_CHUNK](chunk);
    expect((await reader.read(64)).buffer).toBe(chunk.buffer);
  });
});

describe('StreamReader.readLine', () => {
  it('reads lines, including one split across chunks', async () => {
    const reader = new StreamReader();
    reader.feedData('one\ntw');
    expect(text(await reader.readLine())).toBe('one\n');
    const line = reader.readLine();
    reader.feedData('o\nthree');
    expect(text(await line)).toBe('two\n');
  });

  it('returns the partial line at EOF, then an empty one', async () => {
    const reader = readerWith('tail', { eof: true });
    expect(text(await reader.readLine())).toBe('tail');
    expect((await reader.readLine()).length).toBe(0);
    expect(reader.atEof()).toBe(true);
  });

  it('for await iterates over the lines until EOF', async () => {
    const reader = readerWith('a\nb\nc', { eof: true });
    const lines: string[] = [];
    for await (const line of reader) lines.push(text(line));
    expect(lines).toEqual(['a\n', 'b\n', 'c']);
  });

  it('throws LimitOverrunError and discards the line through its separator', async () => {
    const reader = readerWith('abcdefgh\nnext\n', { limit: 4 });
    const error = await reader.readLine().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitOverrunError);
    expect((error as LimitOverrunError).consumed).toBe(8);
    expect(text(await reader.readLine())).toBe('next\n');
  });

  it('throws LimitOverrunError and clears the buffer when no separator is buffered', async () => {
    const reader = readerWith('abcdefgh', { limit: 4 });
    await expect(reader.readLine()).rejects.toBeInstanceOf(LimitOverrunError);
    expect(reader.buffered).toBe(0);
    reader.feedData('ok\n');
    expect(text(await reader.readLine())).toBe('ok\n');
  });

  it('accepts a line whose separator sits exactly at the limit', async () => {
    const reader = readerWith('abcd\n', { limit: 4 });
    expect(text(await reader.readLine())).toBe('abcd\n');
  });
});

describe('StreamReader.readUntil', () => {
  it('finds a multi-byte separator split across chunks', async () => {
    const reader = new StreamReader();
    reader.feedData('head\r');
    const read = track(reader.readUntil('\r\n'));
    await flushMicrotasks();
    expect(read.settled).toBe(false);
    reader.feedData('\nbody');
    expect(text(await read.promise)).toBe('head\r\n');
    expect(reader.buffered).toBe(4);
  });

  it('takes a Uint8Array separator', async () => {
    const reader = readerWith('a\0b\0');
    expect(text(await reader.readUntil(new Uint8Array([0])))).toBe('a\0');
  });

  it('with several separators returns the shortest data ending with one of them', async () => {
    const reader = readerWith('abc;def\nxyab');
    expect(text(await reader.readUntil(['\n', ';']))).toBe('abc;');
    expect(text(await reader.readUntil(['\n', ';']))).toBe('def\n');
    // A longer separator that ends first wins over a shorter one that ends later.
    const other = readerWith('xaby');
    expect(text(await other.readUntil(['by', 'xa']))).toBe('xa');
    const overlap = readerWith('abcd');
    expect(text(await overlap.readUntil(['abcd', 'bc']))).toBe('abc');
  });

  it('throws IncompleteReadError with the rest of the stream at EOF', async () => {
    const reader = readerWith('no separator', { eof: true });
    const error = await reader.readUntil('\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteReadError);
    expect(text((error as IncompleteReadError).partial)).toBe('no separator');
    expect((error as IncompleteReadError).expected).toBeUndefined();
    expect(reader.buffered).toBe(0);
  });

  it('finds a separator that arrived with the EOF', async () => {
    const reader = new StreamReader();
    const read = reader.readUntil('--');
    reader.feedData('x--');
    reader.feedEof();
    expect(text(await read)).toBe('x--');
  });

  it('throws LimitOverrunError and leaves the buffer intact when the separator is too far', async () => {
    const reader = readerWith('abcde\n', { limit: 4 });
    const error = await reader.readUntil().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitOverrunError);
    expect((error as LimitOverrunError).consumed).toBe(5);
    expect(reader.buffered).toBe(6);
  });

  it('throws LimitOverrunError without waiting once the limit is passed', async () => {
    const reader = readerWith('abcdef', { limit: 4 });
    const error = await reader.readUntil('\n').catch((e: unknown) => e);
    expect((error as LimitOverrunError).consumed).toBe(6);
    expect(reader.buffered).toBe(6);
    // With a 3-byte separator, the last 2 bytes may still start one.
    const multi = readerWith('abcdefg', { limit: 4 });
    const overrun = await multi.readUntil('END').catch((e: unknown) => e);
    expect((overrun as LimitOverrunError).consumed).toBe(5);
  });

  it('keeps waiting while the examined bytes stay within the limit', async () => {
    const reader = readerWith('abcd', { limit: 4 });
    const read = track(reader.readUntil('\n'));
    await flushMicrotasks();
    expect(read.settled).toBe(false);
    reader.feedData('\n');
    expect(text(await read.promise)).toBe('abcd\n');
  });

  it('rejects an empty separator, an empty list and a non-bytes separator', async () => {
    const reader = readerWith('abc');
    await expect(reader.readUntil('')).rejects.toThrow(RangeError);
    await expect(reader.readUntil(new Uint8Array(0))).rejects.toThrow(RangeError);
    await expect(reader.readUntil([])).rejects.toThrow(RangeError);
    await expect(reader.readUntil(['\n', ''])).rejects.toThrow(RangeError);
    await expect(reader.readUntil(42 as unknown as string)).rejects.toThrow(TypeError);
    expect(reader.buffered).toBe(3);
  });
});

describe('StreamReader.readExactly', () => {
  it('reads exactly n bytes, waiting across chunks', async () => {
    const reader = new StreamReader();
    const read = track(reader.readExactly(6));
    reader.feedData('abc');
    await flushMicrotasks();
    expect(read.settled).toBe(false);
    reader.feedData('defgh');
    expect(text(await read.promise)).toBe('abcdef');
    expect(text(await reader.readExactly(2))).toBe('gh');
    expect((await reader.readExactly(0)).length).toBe(0);
  });

  it('throws IncompleteReadError with the partial data at EOF', async () => {
    const reader = readerWith('abc', { eof: true });
    const error = await reader.readExactly(5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteReadError);
    expect(text((error as IncompleteReadError).partial)).toBe('abc');
    expect((error as IncompleteReadError).expected).toBe(5);
    expect(reader.atEof()).toBe(true);
  });

  it('rejects a negative or fractional size', async () => {
    const reader = new StreamReader();
    await expect(reader.readExactly(-1)).rejects.toThrow(
      "readExactly: 'n' must be a non-negative integer, received -1",
    );
    await expect(reader.readExactly(1.5)).rejects.toThrow(RangeError);
    await expect(reader.read(Number.NaN)).rejects.toThrow(RangeError);
    await expect(reader.read('1' as unknown as number)).rejects.toThrow(TypeError);
  });
});

describe('StreamReader cancellation', () => {
  it('a readExactly cancelled mid-wait loses no bytes', async () => {
    const reader = new StreamReader();
    const task = createTask(() => reader.readExactly(10));
    await sleep(0);
    reader.feedData('01234');
    await sleep(0);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    reader.feedData('56789');
    expect(text(await reader.readExactly(10))).toBe('0123456789');
  });

  it('a readLine cancelled mid-wait loses no bytes', async () => {
    const reader = new StreamReader();
    const task = createTask(() => reader.readLine());
    reader.feedData('par');
    await sleep(0);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    reader.feedData('tial\n');
    expect(text(await reader.readLine())).toBe('partial\n');
  });

  it('a read() until EOF cancelled mid-wait loses no bytes', async () => {
    const reader = new StreamReader();
    const task = createTask(() => reader.read());
    reader.feedData('abc');
    await sleep(0);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    reader.feedEof();
    expect(text(await reader.read())).toBe('abc');
  });

  it('an aborted signal ends the wait with its reason and keeps the bytes', async () => {
    const reader = new StreamReader();
    const controller = new AbortController();
    const read = reader.readExactly(4, { signal: controller.signal });
    reader.feedData('ab');
    await flushMicrotasks();
    controller.abort(new Error('stop'));
    await expect(read).rejects.toThrow('stop');
    reader.feedData('cd');
    expect(text(await reader.readExactly(4))).toBe('abcd');
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(reader.readLine({ signal: aborted })).rejects.toThrow('already');
  });

  it('an already aborted signal rejects every read at once, even one with its bytes buffered, and takes nothing', async () => {
    const reader = readerWith('line\nrest', { limit: 4 });
    const signal = AbortSignal.abort(new Error('already'));
    await expect(reader.read(2, { signal })).rejects.toThrow('already');
    await expect(reader.read(0, { signal })).rejects.toThrow('already');
    await expect(reader.readLine({ signal })).rejects.toThrow('already');
    await expect(reader.readExactly(2, { signal })).rejects.toThrow('already');
    await expect(reader.readUntil('\n', { signal })).rejects.toThrow('already');
    expect(String(reader)).toBe('<StreamReader [buffered:9, limit:4]>');
    expect(text(await reader.readLine())).toBe('line\n');
  });

  it('waitFor() cancels a waiting read at its deadline (the read returns its own wait)', async () => {
    const reader = new StreamReader();
    reader.feedData('ab');
    await expect(waitFor(reader.readExactly(4), 0)).rejects.toBeInstanceOf(TimeoutError);
    expect(String(reader)).toBe('<StreamReader [buffered:2]>');
    reader.feedData('cd');
    expect(text(await reader.readExactly(4))).toBe('abcd');
  });

  it('a read woken just before its task is cancelled keeps its bytes; the cancel comes next', async () => {
    const reader = new StreamReader();
    const reads: string[] = [];
    const task = createTask(async () => {
      reads.push(text(await reader.readLine()));
      await sleep(0);
    });
    await sleep(0);
    reader.feedData('line\n');
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(reads).toEqual(['line\n']);
  });
});

describe('StreamReader state', () => {
  it('setException() fails the waiting read and later ones', async () => {
    const reader = new StreamReader();
    const read = reader.read(1);
    const error = new Error('reset');
    reader.setException(error);
    await expect(read).rejects.toBe(error);
    await expect(reader.readLine()).rejects.toBe(error);
    expect(reader.exception()).toBe(error);
  });

  it('refuses a second read while one waits', async () => {
    const reader = new StreamReader();
    const first = reader.read(1);
    await expect(reader.readLine()).rejects.toBeInstanceOf(InvalidStateError);
    reader.feedData('x');
    expect(text(await first)).toBe('x');
  });

  it('pauses its transport above 2 * limit and resumes at or below limit', async () => {
    const calls: string[] = [];
    const reader = new StreamReader({ limit: 4 });
    reader[SET_TRANSPORT]({
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    });
    reader.feedData('12345678');
    expect(calls).toEqual([]);
    reader.feedData('9');
    expect(calls).toEqual(['pause']);
    await reader.read(4);
    expect(calls).toEqual(['pause']);
    await reader.read(1);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('a read that waits resumes a paused transport', async () => {
    const calls: string[] = [];
    const reader = new StreamReader({ limit: 1 });
    reader[SET_TRANSPORT]({
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    });
    reader.feedData('abc');
    expect(calls).toEqual(['pause']);
    const read = reader.readExactly(4);
    expect(calls).toEqual(['pause', 'resume']);
    reader.feedData('d');
    expect(text(await read)).toBe('abcd');
  });

  it('rejects a bad limit and data fed after EOF', () => {
    expect(() => new StreamReader({ limit: 0 })).toThrow(
      "Cannot create StreamReader: 'limit' must be a positive integer, received 0",
    );
    expect(() => new StreamReader({ limit: 1.5 })).toThrow(RangeError);
    const reader = readerWith('', { eof: true });
    expect(() => {
      reader.feedData('x');
    }).toThrow(InvalidStateError);
  });

  it('toString() shows the state', async () => {
    const reader = new StreamReader({ limit: 8 });
    expect(String(reader)).toBe('<StreamReader [buffered:0, limit:8]>');
    const read = reader.read(1);
    expect(String(reader)).toBe('<StreamReader [buffered:0, limit:8, waiting]>');
    reader.feedData('ab');
    await read;
    reader.feedEof();
    expect(String(new StreamReader())).toBe('<StreamReader [buffered:0]>');
    expect(String(reader)).toBe('<StreamReader [buffered:1, eof, limit:8]>');
  });
});
