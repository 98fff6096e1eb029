import { describe, expect, it } from 'vitest';
import { CancelledError, createTask } from '@corio/core';
import { openConnection, startServer } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn } from '../test/helpers.js';
import { echo, listen } from '../test/net-helpers.js';

checkNoLeakedSockets();

describe('openConnection', () => {
  it('connects and returns a reader and a writer with the given limit', async () => {
    const { server, port } = await listen(echo);
    const [reader, writer] = await openConnection('127.0.0.1', port, { limit: 1024, family: 4 });
    expect(reader.limit).toBe(1024);
    writer.write('ping\n');
    expect((await reader.readLine()).toString()).toBe('ping\n');
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('connects from a localAddress', async () => {
    const { server, port } = await listen(echo);
    const [, writer] = await openConnection('127.0.0.1', port, { localAddress: '127.0.0.1' });
    expect(writer.getExtraInfo('sockname')?.address).toBe('127.0.0.1');
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('reads EOF once the peer closes', async () => {
    const { server, port } = await listen((_reader, writer) => {
      writer.write('bye');
      writer.close();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    expect((await reader.read()).toString()).toBe('bye');
    expect(reader.atEof()).toBe(true);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('surfaces connection refused as the Node error', async () => {
    const server = await startServer(() => undefined, '127.0.0.1', 0);
    const { port } = server.address() as { port: number };
    server.close();
    await server.waitClosed();
    await expect(openConnection('127.0.0.1', port)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('a name that cannot resolve rejects with the Node DNS error', async () => {
    const error: unknown = await openConnection('nonexistent.invalid', 80).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    // ENOTFOUND from a resolver that answers, EAI_AGAIN from one that cannot be reached.
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain((error as NodeJS.ErrnoException).code);
    expect(error).toMatchObject({ syscall: 'getaddrinfo', hostname: 'nonexistent.invalid' });
  });

  it('rejects an invalid host, port, family or limit', async () => {
    await expect(openConnection('127.0.0.1', 0)).rejects.toThrow(
      "openConnection: 'port' must be an integer from 1 to 65535, received 0",
    );
    await expect(openConnection('127.0.0.1', 70000)).rejects.toThrow(RangeError);
    await expect(openConnection('127.0.0.1', 1.5)).rejects.toThrow(RangeError);
    await expect(openConnection('127.0.0.1', '80' as unknown as number)).rejects.toThrow(TypeError);
    await expect(openConnection('', 80)).rejects.toThrow(TypeError);
    await expect(openConnection(42 as unknown as string, 80)).rejects.toThrow(TypeError);
    await expect(openConnection('127.0.0.1', 80, { family: 5 as 4 })).rejects.toThrow(RangeError);
    await expect(openConnection('127.0.0.1', 80, { limit: -1 })).rejects.toThrow(RangeError);
  });

  it('an aborted signal rejects with its reason', async () => {
    await expect(
      openConnection('127.0.0.1', 80, { signal: AbortSignal.abort(new Error('no')) }),
    ).rejects.toThrow('no');
  });

  it('is a cancellation point: cancelling the task destroys the socket', async () => {
    const { server, port } = await listen(echo);
    const task = createTask(() => openConnection('127.0.0.1', port));
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    server.close();
    await server.waitClosed();
  });

  it('a read cancelled mid-wait on a socket loses no bytes', async () => {
    const { server, port } = await listen(async (reader, writer) => {
      writer.write('01234');
      await reader.readLine();
      writer.write('56789');
      writer.close();
      await writer.waitClosed();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    const task = createTask(() => reader.readExactly(10));
    while (reader.buffered < 5) await nextTurn();
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    writer.write('go\n');
    expect((await reader.readExactly(10)).toString()).toBe('0123456789');
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });
});
