import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBuffer } from './byte-buffer.js';

/** An unpooled chunk holding `text`, as a socket's chunk is (its own ArrayBuffer, exactly). */
function chunk(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

describe('ByteBuffer', () => {
  it('hands out a whole queued chunk as it is, most of one as a view, a short part as a copy', () => {
    const buffer = new ByteBuffer();
    const whole = chunk('0123456789');
    buffer.append(whole, true);
    expect(buffer.take(10)).toBe(whole);
    const large = chunk('x'.repeat(64));
    buffer.append(large, true);
    const most = buffer.take(40);
    expect(most.buffer).toBe(large.buffer);
    expect(most.byteOffset).toBe(large.byteOffset);
    const rest = buffer.take(24);
    expect(rest.buffer).not.toBe(large.buffer);
    expect(rest.toString()).toBe('x'.repeat(24));
    const other = chunk('abcdefghij');
    buffer.append(other, true);
    const small = buffer.take(2);
    expect(small.toString()).toBe('ab');
    expect(small.buffer).not.toBe(other.buffer);
  });

  it('never writes into bytes it handed out: a view of the tail stays as it was', () => {
    const buffer = new ByteBuffer();
    buffer.append(chunk('head'), true);
    buffer.append(chunk('one\n'), true); // short, behind: into the tail
    buffer.append(chunk('two\n'), true); // the tail grows after it
    expect(buffer.chunks).toBe(2);
    expect(buffer.take(4).toString()).toBe('head');
    const one = buffer.take(4);
    expect(one.toString()).toBe('one\n');
    // The tail still holds 'two\n': later short chunks extend it after that, never over `one`.
    for (const text of ['three\n', 'y'.repeat(900), 'z'.repeat(900)]) {
      buffer.append(chunk(text), true);
    }
    expect(buffer.take(buffer.length).toString()).toBe(
      `two\nthree\n${'y'.repeat(900)}${'z'.repeat(900)}`,
    );
    expect(one.toString()).toBe('one\n');
  });

  it('takeThrough() takes a line within the first chunk and the limit (as take() would), or nothing', () => {
    const buffer = new ByteBuffer();
    const first = chunk(`ab\n${'c'.repeat(100)}\nde`);
    buffer.append(first, true);
    const line = buffer.takeThrough(0x0a, 100);
    expect(line?.toString()).toBe('ab\n');
    expect(line?.buffer).not.toBe(first.buffer); // short: a copy
    // The next '\n' is 100 bytes in (found past the short scan): over a limit of 99.
    expect(buffer.takeThrough(0x0a, 99)).toBe(undefined);
    expect(buffer.length).toBe(first.length - 3);
    const long = buffer.takeThrough(0x0a, 100);
    expect(long?.toString()).toBe(`${'c'.repeat(100)}\n`);
    expect(long?.buffer).toBe(first.buffer); // most of the chunk: a view
    // A line that runs into the next chunk is left to the caller.
    buffer.append(chunk(`f${'g'.repeat(2000)}\n`), true);
    expect(buffer.takeThrough(0x0a, 65536)).toBe(undefined);
    expect(buffer.length).toBe(2004);
    expect(new ByteBuffer().takeThrough(0x0a, 1)).toBe(undefined);
  });

  it('copies a take that spans chunks once, into the Buffer it returns, never into a chunk', () => {
    const buffer = new ByteBuffer();
    const first = chunk('a'.repeat(1500));
    const second = chunk('b'.repeat(1500));
    buffer.append(first, true);
    buffer.discard(1000);
    buffer.append(second, true);
    expect(buffer.chunks).toBe(2);
    const taken = buffer.take(1000);
    expect(taken.toString()).toBe('a'.repeat(500) + 'b'.repeat(500));
    expect(taken.buffer).not.toBe(first.buffer);
    expect(taken.buffer).not.toBe(second.buffer);
    expect(first.toString()).toBe('a'.repeat(1500));
    expect(buffer.length).toBe(1000);
    expect(buffer.chunks).toBe(1);
  });

  it('copies a chunk it may not keep, unpooled, so views of most of it stay cheap', () => {
    const buffer = new ByteBuffer();
    const fed = Buffer.from('0123456789');
    buffer.append(fed, false);
    fed.fill('x');
    const most = buffer.take(8);
    expect(most.toString()).toBe('01234567');
    expect(most.buffer).not.toBe(fed.buffer);
    expect(most.buffer.byteLength).toBe(10);
  });

  it('copies short chunks that arrive behind others into one tail chunk, and lets it go once read', () => {
    const buffer = new ByteBuffer();
    buffer.append(chunk('x'), true);
    const pieces = ['a', 'b', 'c', 'd', 'e'].map(chunk);
    for (const piece of pieces) buffer.append(piece, true);
    expect(buffer.chunks).toBe(2);
    expect(buffer.take(6).toString()).toBe('xabcde');
    expect(buffer.chunks).toBe(0);
    // An empty buffer queues even a short chunk as it is: nothing of ours is held.
    const line = chunk('line\n');
    buffer.append(line, true);
    expect(buffer.take(5)).toBe(line);
  });

  it('finds bytes and separators across chunks', () => {
    const buffer = new ByteBuffer();
    buffer.append(chunk(`${'x'.repeat(1023)}\r`), true);
    buffer.append(chunk('\n'), true); // short, behind: the tail
    buffer.append(chunk(`\r\n${'y'.repeat(1022)}`), true);
    expect(buffer.chunks).toBe(3);
    expect(buffer.indexOf(Buffer.from('\r\n\r\n'), 0)).toBe(1023);
    expect(buffer.indexOf(Buffer.from('\r\n\r\n'), 1024)).toBe(-1);
    expect(buffer.indexOf(Buffer.from('\ny'), 0)).toBe(1026);
    expect(buffer.indexOf(Buffer.from('yz'), 0)).toBe(-1);
    expect(buffer.indexOfByte(0x0a, 0)).toBe(1024);
    expect(buffer.indexOfByte(0x0a, 1025)).toBe(1026);
    expect(buffer.indexOfByte(0x0a, 1027)).toBe(-1);
    expect(buffer.at(1024)).toBe(0x0a);
    expect(buffer.at(2049)).toBe(undefined);
    buffer.discard(1024);
    expect(buffer.indexOf(Buffer.from('\n\r\n'), 0)).toBe(0);
    expect(buffer.at(0)).toBe(0x0a);
  });

  it('finds a separator in a short chunk past partial matches, and in a long one', () => {
    const buffer = new ByteBuffer();
    const sep = Buffer.from('\r\n\r\n');
    buffer.append(chunk('GET / HTTP/1.1\r\nHost: x\r\n\r\r\n\r\n'), true);
    expect(buffer.indexOf(sep, 0)).toBe(26);
    expect(buffer.indexOf(sep, 27)).toBe(-1);
    buffer.discard(buffer.length);
    // Past the short scan: a chunk longer than it is searched by indexOf, with the same answer.
    buffer.append(chunk(`${'h\r\n'.repeat(200)}\r\nbody`), true);
    expect(buffer.indexOf(sep, 0)).toBe(598);
    expect(buffer.indexOf(sep, 599)).toBe(-1);
  });

  it('behaves as one contiguous Buffer whatever the chunks (property)', () => {
    const op = fc.oneof(
      fc.record({ append: fc.uint8Array({ maxLength: 2000, max: 3 }), adopt: fc.boolean() }),
      fc.record({ take: fc.nat(3000) }),
      fc.record({ discard: fc.nat(3000) }),
      fc.record({ through: fc.nat(3), limit: fc.nat(3000) }),
      fc.record({ find: fc.uint8Array({ minLength: 1, maxLength: 4, max: 3 }), from: fc.nat(100) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const buffer = new ByteBuffer();
        let model = Buffer.alloc(0);
        for (const o of ops) {
          if ('append' in o) {
            const bytes = Buffer.from(o.append);
            buffer.append(bytes, o.adopt);
            model = Buffer.concat([model, bytes]);
          } else if ('take' in o) {
            const n = Math.min(o.take, model.length);
            expect(buffer.take(n).equals(model.subarray(0, n))).toBe(true);
            model = model.subarray(n);
          } else if ('through' in o) {
            const line = buffer.takeThrough(o.through, o.limit);
            const index = model.indexOf(o.through);
            if (line !== undefined) {
              expect(index).toBeGreaterThanOrEqual(0);
              expect(index).toBeLessThanOrEqual(o.limit);
              expect(line.equals(model.subarray(0, index + 1))).toBe(true);
              model = model.subarray(index + 1);
            } else {
              expect(index === -1 || index > o.limit || buffer.chunks > 1).toBe(true);
            }
          } else if ('discard' in o) {
            const n = Math.min(o.discard, model.length);
            buffer.discard(n);
            model = model.subarray(n);
          } else {
            const sep = Buffer.from(o.find);
            expect(buffer.indexOf(sep, o.from)).toBe(model.indexOf(sep, o.from));
            expect(buffer.indexOfByte(sep[0] as number, o.from)).toBe(
              model.indexOf(sep[0] as number, o.from),
            );
            expect(buffer.at(o.from)).toBe(model[o.from]);
          }
          expect(buffer.length).toBe(model.length);
        }
      }),
    );
  });
});
