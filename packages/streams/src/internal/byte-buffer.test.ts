import { describe, expect, it } from 'vitest';
import { ByteBuffer } from './byte-buffer.js';

describe('ByteBuffer', () => {
  it('adopts a chunk fed to an empty buffer and returns views only of most of it', () => {
    const buffer = new ByteBuffer();
    // Unpooled, as the socket's chunks are (Buffer.from would share the pool with the copies).
    const chunk = Buffer.allocUnsafeSlow(10);
    chunk.write('0123456789');
    buffer.append(chunk, true);
    expect(buffer.view().buffer).toBe(chunk.buffer);
    const small = buffer.take(2);
    expect(small.toString()).toBe('01');
    expect(small.buffer).not.toBe(chunk.buffer); // a copy: a view would pin the chunk
    const large = Buffer.allocUnsafeSlow(64);
    large.fill('x');
    const other = new ByteBuffer();
    other.append(large, true);
    const most = other.take(40);
    expect(most.buffer).toBe(large.buffer); // a view: most of the chunk
    expect(most.byteOffset).toBe(large.byteOffset);
  });

  it('copies into a buffer of its own when a second chunk arrives, never into a fed one', () => {
    const buffer = new ByteBuffer();
    const first = Buffer.from('abc');
    buffer.append(first, true);
    buffer.discard(1);
    buffer.append(Buffer.from('def'), true);
    expect(buffer.view().toString()).toBe('bcdef');
    expect(first.toString()).toBe('abc');
    expect(buffer.indexOfByte('e'.charCodeAt(0), 0)).toBe(3);
    expect(buffer.indexOfByte('e'.charCodeAt(0), 4)).toBe(-1);
    expect(buffer.at(0)).toBe('b'.charCodeAt(0));
    expect(buffer.at(5)).toBe(undefined);
    expect(buffer.take(5).toString()).toBe('bcdef');
    expect(buffer.length).toBe(0);
  });

  it('adopts a copy of a chunk it may not keep, unpooled, so views of most of it stay cheap', () => {
    const buffer = new ByteBuffer();
    const chunk = Buffer.from('0123456789');
    buffer.append(chunk, false);
    chunk.fill('x');
    expect(buffer.view().toString()).toBe('0123456789');
    expect(buffer.view().buffer).not.toBe(chunk.buffer);
    expect(buffer.view().buffer.byteLength).toBe(10);
    const most = buffer.take(8);
    expect(most.buffer).toBe(buffer.view().buffer); // a view of the copy
    expect(most.toString()).toBe('01234567');
  });

  it('lets a consumed chunk of the peer go', () => {
    const buffer = new ByteBuffer();
    const chunk = Buffer.from('line\n');
    buffer.append(chunk, true);
    buffer.discard(5);
    expect(buffer.length).toBe(0);
    expect(buffer.view().buffer).not.toBe(chunk.buffer);
  });
});
