import { describe, expect, it } from 'vitest';
import {
  CHUNK_READ_MS,
  CHUNK_WORK_MS,
  ChunkSizer,
  MAX_ADAPTIVE_CHUNK,
} from '../src/internal/chunk-sizer.js';

describe('ChunkSizer (map() default chunk size)', () => {
  it('starts at one item and doubles after each fast chunk, up to MAX_ADAPTIVE_CHUNK', () => {
    const sizer = new ChunkSizer();
    const sizes = [sizer.size];
    for (let i = 0; i < 12; i++) {
      sizer.worked(sizer.size, sizer.size * 0.0001); // 0.1 µs an item
      sizes.push(sizer.size);
    }
    expect(sizes).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1024, 1024]);
    expect(MAX_ADAPTIVE_CHUNK).toBe(1024);
  });

  it('a chunk timed at 0 ms (the clock did not move) still only doubles the size', () => {
    const sizer = new ChunkSizer();
    sizer.worked(1, 0);
    expect(sizer.size).toBe(2);
  });

  it('grows only as far as what one chunk runs in CHUNK_WORK_MS', () => {
    const sizer = new ChunkSizer();
    const itemMs = CHUNK_WORK_MS * 0.15; // 6.67 items a chunk
    const sizes: number[] = [];
    for (let i = 0; i < 5; i++) {
      sizer.worked(sizer.size, sizer.size * itemMs);
      sizes.push(sizer.size);
    }
    expect(sizes).toEqual([2, 4, 6, 6, 6]);
  });

  it('items slower than CHUNK_WORK_MS keep the chunks at one item', () => {
    const sizer = new ChunkSizer();
    for (let i = 0; i < 4; i++) sizer.worked(1, 2 * CHUNK_WORK_MS);
    expect(sizer.size).toBe(1);
  });

  it('falls at once when the items turn slow', () => {
    const sizer = new ChunkSizer();
    for (let i = 0; i < 11; i++) sizer.worked(sizer.size, 0);
    expect(sizer.size).toBe(1024);
    sizer.worked(1024, 8 * CHUNK_WORK_MS); // 1024 items in 8 ms: 128 fit
    expect(sizer.size).toBe(128);
    sizer.worked(3, 30 * CHUNK_WORK_MS); // a chunk that failed at its third item
    expect(sizer.size).toBe(1);
  });

  it('a slow source cuts the chunks to what it gives in CHUNK_READ_MS, and never grows them', () => {
    const sizer = new ChunkSizer();
    for (let i = 0; i < 11; i++) sizer.worked(sizer.size, 0);
    // 100 more items in 0.5 ms after a chunk's first: 201 come in CHUNK_READ_MS.
    sizer.read(100, CHUNK_READ_MS / 2);
    expect(sizer.size).toBe(201);
    sizer.read(3, 6 * CHUNK_READ_MS); // one item per 2 ms
    expect(sizer.size).toBe(1);
    sizer.read(1000, 0); // fast again: the results make it grow, not the source
    expect(sizer.size).toBe(1);
    sizer.worked(1, 0);
    expect(sizer.size).toBe(2);
  });
});
