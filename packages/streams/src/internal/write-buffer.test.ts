import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WriteBuffer } from './write-buffer.js';

/** A socket that keeps what it is handed, as a busy socket does until the kernel takes it. */
function holdingSocket(): { socket: Socket; held: Buffer[] } {
  const held: Buffer[] = [];
  const socket = {
    destroyed: false,
    write: (data: Buffer) => held.push(data),
  } as unknown as Socket;
  return { socket, held };
}

const nextTick = (): Promise<void> =>
  new Promise((resolve) => {
    process.nextTick(resolve);
  });

describe('WriteBuffer', () => {
  it("hands each tick's short writes to the socket as one view of its slab, never written into again", async () => {
    const { socket, held } = holdingSocket();
    const pending = new WriteBuffer(() => socket);
    const reused = Buffer.alloc(3);
    const expected: string[] = [];
    for (let tick = 0; tick < 40; tick++) {
      let text = '';
      for (let i = 0; i < 5; i++) {
        reused.write(`${String(tick % 10)}${String(i)}\n`);
        pending.write(reused);
        text += reused.toString();
      }
      pending.write(`t${String(tick)}\n`);
      text += `t${String(tick)}\n`;
      expect(held.length).toBe(tick);
      await nextTick();
      expected.push(text);
    }
    // 40 ticks of about 20 bytes: one slab, each flush a view of it, and every view still holds
    // the bytes it was handed with, though the caller rewrote its buffer after each write.
    expect(held.map((b) => b.toString())).toEqual(expected);
    expect(new Set(held.map((b) => b.buffer)).size).toBe(1);
  });

  it('moves the bytes not yet handed over to a new slab when one fills, leaving the old to the socket', async () => {
    const { socket, held } = holdingSocket();
    const pending = new WriteBuffer(() => socket);
    pending.write(Buffer.alloc(3000, 'a'));
    await nextTick();
    pending.write(Buffer.alloc(3000, 'b'));
    pending.write(Buffer.alloc(3000, 'c')); // past 8 KiB: a new slab, 'b' moves
    await nextTick();
    expect(held.map((b) => b.toString())).toEqual([
      'a'.repeat(3000),
      'b'.repeat(3000) + 'c'.repeat(3000),
    ]);
    expect(held[1]?.buffer).not.toBe(held[0]?.buffer);
    // A long write goes out at once, after what was gathered.
    pending.write('x');
    pending.write(Buffer.alloc(5000, 'y'));
    expect(held.slice(2).map((b) => b.toString())).toEqual(['x', 'y'.repeat(5000)]);
    expect(pending.length).toBe(0);
  });
});
