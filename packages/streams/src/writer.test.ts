import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { CancelledError, Event, InvalidStateError, createTask } from '@corio/core';
import { ConnectionResetError, StreamWriter, openConnection } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn, track } from '../test/helpers.js';
import { echo, listen } from '../test/net-helpers.js';

checkNoLeakedSockets();

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('StreamWriter', () => {
  it('write() and writeLines() reach the peer; an echo round trip', async () => {
    const { server, port } = await listen(echo);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('one\n');
    writer.write(Buffer.from('two\n'));
    writer.writeLines(['thr', new Uint8Array([0x65, 0x65, 0x0a])]);
    await writer.drain();
    expect((await reader.readLine()).toString()).toBe('one\n');
    expect((await reader.readLine()).toString()).toBe('two\n');
    expect((await reader.readLine()).toString()).toBe('three\n');
    writer.close();
    expect(writer.isClosing()).toBe(true);
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('gathers the short writes of one tick into one socket write in process.nextTick', async () => {
    const { server, port } = await listen(echo);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    const socket = writer.getExtraInfo('socket');
    const socketWrites = vi.spyOn(socket, 'write');
    let bytes = 0;
    for (let i = 0; i < 100; i++) {
      writer.write(`${String(i)}\n`);
      bytes += `${String(i)}\n`.length;
    }
    expect(socketWrites).not.toHaveBeenCalled();
    expect(String(writer)).toBe(`<StreamWriter [open, buffered:${String(bytes)}]>`);
    await new Promise<void>((resolve) => {
      process.nextTick(resolve);
    });
    expect(socketWrites).toHaveBeenCalledTimes(1);
    // A long write goes out at once, after the short ones before it.
    writer.write('a\n');
    writer.write(Buffer.concat([Buffer.alloc(8191, 'b'), Buffer.from('\n')]));
    expect(socketWrites).toHaveBeenCalledTimes(3);
    socketWrites.mockRestore();
    for (let i = 0; i < 100; i++) {
      expect((await reader.readLine()).toString()).toBe(`${String(i)}\n`);
    }
    expect((await reader.readLine()).toString()).toBe('a\n');
    expect((await reader.readLine()).length).toBe(8192);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('write() and writeLines() send the bytes as they were at the call, though the caller changes them in the same tick', async () => {
    const { server, port } = await listen(echo);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    // Alone in its tick: no other write's bytes are gathered with it, so only a copy made at the
    // call keeps it.
    const solo = Buffer.from('solo\n');
    writer.write(solo);
    solo.write('SOLO\n');
    await new Promise<void>((resolve) => {
      process.nextTick(resolve);
    });
    const chunk = Buffer.from('one\n');
    writer.write(chunk);
    chunk.write('two\n');
    writer.write(chunk);
    chunk.write('zzz\n');
    const backing = new Uint8Array(12).fill(0x2e);
    backing.set(Buffer.from('four\n'), 3);
    const view = backing.subarray(3, 8);
    writer.write(view);
    backing.fill(0x21);
    // A producer that reuses one buffer for every line it yields.
    function* reused(): Generator<Buffer> {
      const line = Buffer.alloc(2);
      for (const letter of ['a', 'b', 'c']) {
        line.write(`${letter}\n`);
        yield line;
      }
    }
    writer.writeLines(reused());
    await writer.drain();
    const expected = 'solo\none\ntwo\nfour\na\nb\nc\n';
    expect((await reader.readExactly(expected.length)).toString()).toBe(expected);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('short writes of many ticks queued behind a busy socket arrive intact', async () => {
    const release = new Event();
    const { server, port } = await listen(async (reader, writer) => {
      await release.wait();
      writer.write(`${sha256(await reader.read())}\n`);
      writer.close();
      await writer.waitClosed();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    // The server does not read yet: the socket holds on to what it is given.
    const sent: Buffer[] = [Buffer.alloc(4 * 1024 * 1024, 0x2d)];
    writer.write(sent[0] as Buffer);
    const reused = Buffer.alloc(4000);
    for (let tick = 0; tick < 64; tick++) {
      // From a few bytes to several times the gather buffer's first size, per tick.
      for (let i = 0; i < (tick % 8) * (tick % 8); i++) {
        const size = 1 + ((tick * 131 + i * 17) % 3999);
        reused.fill(tick * 64 + i, 0, size);
        const chunk = reused.subarray(0, size);
        sent.push(Buffer.from(chunk));
        writer.write(chunk);
      }
      sent.push(Buffer.from(`tick ${String(tick)}\n`));
      writer.write(`tick ${String(tick)}\n`);
      await new Promise<void>((resolve) => {
        process.nextTick(resolve);
      });
    }
    expect(writer.getExtraInfo('socket').writableLength).toBeGreaterThan(0);
    writer.writeEof();
    release.set();
    expect((await reader.readLine()).toString()).toBe(`${sha256(Buffer.concat(sent))}\n`);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('transfers 8 MiB through drain() backpressure intact (sha256)', async () => {
    const size = 8 * 1024 * 1024;
    const { server, port } = await listen(async (reader, writer) => {
      const hash = createHash('sha256');
      let received = 0;
      while (received < size) {
        const chunk = await reader.read(65536);
        hash.update(chunk);
        received += chunk.length;
      }
      writer.write(`${hash.digest('hex')}\n`);
      writer.close();
      await writer.waitClosed();
    });
    const data = randomBytes(size);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    let waited = false;
    for (let offset = 0; offset < size; offset += 65536) {
      writer.write(data.subarray(offset, offset + 65536));
      if (writer.getExtraInfo('socket').writableNeedDrain) waited = true;
      await writer.drain();
    }
    expect(waited).toBe(true);
    expect((await reader.readLine()).toString()).toBe(`${sha256(data)}\n`);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('drain() fails with ConnectionResetError when the peer goes away mid-wait', async () => {
    const release = new Event();
    const { server, port } = await listen(async (_reader, writer) => {
      await release.wait();
      writer.close();
    });
    const [, writer] = await openConnection('127.0.0.1', port);
    // The server never reads: the kernel buffers fill and drain() has to wait.
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 64; i++) writer.write(chunk);
    const drained = track(writer.drain());
    await nextTurn();
    expect(drained.settled).toBe(false);
    server.abortClients();
    await expect(drained.promise).rejects.toBeInstanceOf(ConnectionResetError);
    await expect(writer.drain()).rejects.toThrow();
    release.set();
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('drain() fails with ConnectionResetError once the socket is gone', async () => {
    const { server, port } = await listen(echo);
    const [, writer] = await openConnection('127.0.0.1', port);
    writer.getExtraInfo('socket').destroy();
    await expect(writer.drain()).rejects.toBeInstanceOf(ConnectionResetError);
    await writer.waitClosed();
    expect(writer.isClosing()).toBe(true);
    server.close();
    await server.waitClosed();
  });

  it('drain() takes a signal', async () => {
    const release = new Event();
    const { server, port } = await listen(async (_reader, writer) => {
      await release.wait();
      writer.close();
    });
    const [, writer] = await openConnection('127.0.0.1', port);
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 64; i++) writer.write(chunk);
    const controller = new AbortController();
    const drained = writer.drain({ signal: controller.signal });
    controller.abort(new Error('enough'));
    await expect(drained).rejects.toThrow('enough');
    writer.getExtraInfo('socket').destroy();
    release.set();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('drain() cancelled by its task rejects with CancelledError; the writer stays usable', async () => {
    const release = new Event();
    const { server, port } = await listen(async (reader, writer) => {
      await release.wait();
      let received = 0;
      for (;;) {
        const chunk = await reader.read(65536);
        if (chunk.length === 0) break;
        received += chunk.length;
      }
      writer.write(`${String(received)}\n`);
      writer.close();
      await writer.waitClosed();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    const socket = writer.getExtraInfo('socket');
    const listeners = [socket.listenerCount('drain'), socket.listenerCount('close')];
    // The server does not read yet: the kernel buffers fill and drain() has to wait.
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 64; i++) writer.write(chunk);
    const task = createTask(() => writer.drain());
    await nextTurn();
    expect(task.done()).toBe(false);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    // The cancelled wait left nothing on the socket.
    expect([socket.listenerCount('drain'), socket.listenerCount('close')]).toEqual(listeners);
    release.set();
    await writer.drain();
    writer.write('tail');
    await writer.drain();
    writer.writeEof();
    expect((await reader.readLine()).toString()).toBe(`${String(64 * chunk.length + 4)}\n`);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('an already aborted signal rejects drain() and waitClosed() at once, even with nothing to wait for', async () => {
    const { server, port } = await listen(echo);
    const [, writer] = await openConnection('127.0.0.1', port);
    const aborted = AbortSignal.abort(new Error('gave up'));
    await expect(writer.drain({ signal: aborted })).rejects.toThrow('gave up');
    await writer.drain();
    writer.close();
    await writer.waitClosed();
    await expect(writer.waitClosed({ signal: aborted })).rejects.toThrow('gave up');
    server.close();
    await expect(server.waitClosed({ signal: aborted })).rejects.toThrow('gave up');
    await server.waitClosed();
  });

  it('writeEof() half-closes: the peer reads EOF and can still answer', async () => {
    const { server, port } = await listen(async (reader, writer) => {
      const all = await reader.read();
      writer.write(`got ${String(all.length)} bytes\n`);
      writer.close();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    expect(writer.canWriteEof()).toBe(true);
    writer.write('12345');
    writer.writeEof();
    writer.writeEof();
    expect((await reader.readLine()).toString()).toBe('got 5 bytes\n');
    expect((await reader.read()).length).toBe(0);
    expect(reader.atEof()).toBe(true);
    expect(() => {
      writer.write('late');
    }).toThrow(InvalidStateError);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('getExtraInfo() gives peername, sockname and socket', async () => {
    const { server, port } = await listen(echo);
    const [, writer] = await openConnection('127.0.0.1', port);
    expect(writer.getExtraInfo('peername')).toEqual({
      address: '127.0.0.1',
      family: 'IPv4',
      port,
    });
    const sockname = writer.getExtraInfo('sockname');
    expect(sockname?.address).toBe('127.0.0.1');
    expect(sockname?.port).toBeGreaterThan(0);
    expect(writer.getExtraInfo('socket')).toBe(writer.transport);
    expect(writer.getExtraInfo('peercert', 'none')).toBe('none');
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('rejects writes after close() and data that is not bytes or a string', async () => {
    const { server, port } = await listen(echo);
    const [, writer] = await openConnection('127.0.0.1', port);
    expect(() => {
      writer.write(42 as unknown as string);
    }).toThrow("write: 'data' must be a string or a Uint8Array, received number");
    writer.close();
    writer.close();
    expect(() => {
      writer.write('x');
    }).toThrow('Cannot write: the StreamWriter is closed');
    expect(() => {
      writer.writeLines(['x']);
    }).toThrow(InvalidStateError);
    expect(() => {
      writer.writeEof();
    }).toThrow(InvalidStateError);
    await writer.waitClosed();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('toString() shows the state', async () => {
    const { server, port } = await listen(echo);
    const [, writer] = await openConnection('127.0.0.1', port);
    expect(String(writer)).toBe('<StreamWriter [open, buffered:0]>');
    writer.close();
    expect(String(writer)).toMatch(/^<StreamWriter \[closing, buffered:\d+\]>$/);
    await writer.waitClosed();
    expect(String(writer)).toBe('<StreamWriter [closed, buffered:0]>');
    expect(writer).toBeInstanceOf(StreamWriter);
    server.close();
    await server.waitClosed();
  });
});
