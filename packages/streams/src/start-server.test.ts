import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, Event, InvalidStateError, createTask, sleep } from '@corio/core';
import { Server, openConnection, startServer } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn, track } from '../test/helpers.js';
import { echo, listen } from '../test/net-helpers.js';

checkNoLeakedSockets();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('startServer', () => {
  it('runs each client handler as a corio task', async () => {
    const { server, port } = await listen(async (reader, writer) => {
      const line = await reader.readLine();
      writer.write(`${String(line.length)} ${String(createTask.length >= 0)}\n`);
      writer.close();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('abc\n');
    expect((await reader.readLine()).toString()).toBe('4 true\n');
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('serves several clients at once', async () => {
    const { server, port } = await listen(echo);
    const clients = await Promise.all([1, 2, 3].map(() => openConnection('127.0.0.1', port)));
    clients.forEach(([, writer], i) => {
      writer.write(`client ${String(i)}\n`);
    });
    for (const [i, [reader, writer]] of clients.entries()) {
      expect((await reader.readLine()).toString()).toBe(`client ${String(i)}\n`);
      writer.close();
      await writer.waitClosed();
    }
    server.close();
    await server.waitClosed();
  });

  it('reports an error in one handler and leaves the others alone', async () => {
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { server, port } = await listen(async (reader, writer) => {
      for await (const line of reader) {
        if (line.toString() === 'boom\n') throw new Error('handler failed');
        writer.write(line);
      }
      writer.close();
    });
    const [goodReader, goodWriter] = await openConnection('127.0.0.1', port);
    const [badReader, badWriter] = await openConnection('127.0.0.1', port);
    badWriter.write('boom\n');
    expect((await badReader.read()).length).toBe(0);
    expect(report).toHaveBeenCalledTimes(1);
    expect(report.mock.calls[0]?.[1]).toMatchObject({ message: 'handler failed' });
    goodWriter.write('still here\n');
    expect((await goodReader.readLine()).toString()).toBe('still here\n');
    for (const writer of [goodWriter, badWriter]) {
      writer.close();
      await writer.waitClosed();
    }
    server.close();
    await server.waitClosed();
  });

  it('rejects invalid arguments and surfaces EADDRINUSE', async () => {
    await expect(startServer('x' as unknown as typeof echo, '127.0.0.1', 0)).rejects.toThrow(
      TypeError,
    );
    await expect(startServer(echo, '127.0.0.1', -1)).rejects.toThrow(
      "startServer: 'port' must be an integer from 0 to 65535, received -1",
    );
    await expect(startServer(echo, 'bad host', 0)).rejects.toThrow(TypeError);
    await expect(startServer(echo, '127.0.0.1', 0, { backlog: -1 })).rejects.toThrow(RangeError);
    await expect(startServer(echo, '127.0.0.1', 0, { limit: 0 })).rejects.toThrow(RangeError);
    const { server, port } = await listen(echo);
    await expect(startServer(echo, '127.0.0.1', port)).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    server.close();
    await server.waitClosed();
  });

  it('passes the limit to each reader', async () => {
    const { server, port } = await listen(
      async (reader, writer) => {
        writer.write(`${String(reader.limit)}\n`);
        writer.close();
        await writer.waitClosed();
      },
      { limit: 100 },
    );
    const [reader, writer] = await openConnection('127.0.0.1', port);
    expect((await reader.readLine()).toString()).toBe('100\n');
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });
});

describe('Server', () => {
  it('address() and sockets describe the listener until close()', async () => {
    const { server, port } = await listen(echo);
    expect(server).toBeInstanceOf(Server);
    expect(server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port });
    expect(server.sockets).toHaveLength(1);
    expect(server.isServing()).toBe(true);
    server.close();
    server.close();
    expect(server.sockets).toHaveLength(0);
    expect(server.isServing()).toBe(false);
    await server.waitClosed();
    expect(server.address()).toBeNull();
  });

  it('waitClosed() resolves only once every handler has finished', async () => {
    const release = new Event();
    const finished = new Event();
    const { server, port } = await listen(async (reader, writer) => {
      await reader.readLine();
      writer.close();
      await release.wait();
      finished.set();
    });
    const [, writer] = await openConnection('127.0.0.1', port);
    writer.write('hi\n');
    writer.close();
    await writer.waitClosed();
    server.close();
    const closed = track(server.waitClosed());
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(closed.settled).toBe(false);
    expect(String(server)).toMatch(/^<Server \[closing, clients:\d, handlers:1\]>$/);
    release.set();
    await closed.promise;
    expect(finished.isSet()).toBe(true);
    expect(String(server)).toBe('<Server [closed, clients:0, handlers:0]>');
  });

  it('close() leaves open connections alone; closeClients() closes them', async () => {
    const { server, port } = await listen(echo);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('a\n');
    expect((await reader.readLine()).toString()).toBe('a\n');
    server.close();
    writer.write('b\n');
    expect((await reader.readLine()).toString()).toBe('b\n');
    expect(String(server)).toBe('<Server [closing, clients:1, handlers:1]>');
    server.closeClients();
    expect((await reader.read()).length).toBe(0);
    writer.close();
    await writer.waitClosed();
    await server.waitClosed();
  });

  it('abortClients() destroys the connections', async () => {
    const { server, port } = await listen(echo);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('a\n');
    await reader.readLine();
    server.abortClients();
    // A reset or a plain EOF, depending on timing in the kernel.
    const outcome = await reader.read().then(
      (data) => data.length,
      (error: unknown) => (error as NodeJS.ErrnoException).code,
    );
    expect([0, 'ECONNRESET']).toContain(outcome);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it('cancelling the task that started the server leaves its connections tracked', async () => {
    // Socket callbacks run in the async context of the task that called startServer(): the
    // server's bookkeeping must not be a wait that this task's cancellation ends.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    const started = new Event();
    let server: Server | undefined;
    const owner = createTask(async () => {
      server = (await listen(echo)).server;
      started.set();
      await new Event().wait();
    });
    await started.wait();
    const running = server as Server;
    const { port } = running.address() as { port: number };
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('a\n');
    expect((await reader.readLine()).toString()).toBe('a\n');
    owner.cancel('owner cancelled');
    await expect(owner).rejects.toBeInstanceOf(CancelledError);
    await nextTurn();
    expect(String(running)).toBe('<Server [serving, clients:1, handlers:1]>');
    running.close();
    running.closeClients();
    expect((await reader.read()).length).toBe(0);
    writer.close();
    await writer.waitClosed();
    await running.waitClosed();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(String(running)).toBe('<Server [closed, clients:0, handlers:0]>');
  });

  it('serveForever() closes the server when its task is cancelled', async () => {
    const { server, port } = await listen(echo);
    const task = createTask(() => server.serveForever());
    await sleep(0);
    await expect(server.serveForever()).rejects.toBeInstanceOf(InvalidStateError);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('x\n');
    expect((await reader.readLine()).toString()).toBe('x\n');
    writer.close();
    await writer.waitClosed();
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(server.isServing()).toBe(false);
    await server.waitClosed();
    await expect(server.serveForever()).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('serveForever() returns once the server is closed', async () => {
    const { server } = await listen(echo);
    const serving = server.serveForever();
    server.close();
    await serving;
    await server.waitClosed();
  });

  it('await using closes the server and waits', async () => {
    let closed: Server | undefined;
    {
      await using server = await startServer(echo, '127.0.0.1', 0);
      closed = server;
    }
    expect(String(closed)).toBe('<Server [closed, clients:0, handlers:0]>');
  });

  it('an aborted signal closes the server', async () => {
    const controller = new AbortController();
    const { server } = await listen(echo, { signal: controller.signal });
    controller.abort();
    await server.waitClosed();
    expect(server.isServing()).toBe(false);
    await expect(
      startServer(echo, '127.0.0.1', 0, { signal: AbortSignal.abort(new Error('no')) }),
    ).rejects.toThrow('no');
  });
});
