// A task blocked in a stream read shows in the task tree by the reader's printed state.
import { describe, expect, it } from 'vitest';
import { Event, createTask, formatTaskTree, gather, taskTree } from '@corio/core';
import { openConnection } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn } from './helpers.js';
import { listen } from './net-helpers.js';

checkNoLeakedSockets();

describe('taskTree', () => {
  it('shows a task blocked in reader.readLine() with the read and the reader state', async () => {
    const served = new Event();
    const { server, port } = await listen(async (reader, writer) => {
      writer.write('par');
      await served.wait();
      writer.close();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    const client = createTask(() => reader.readLine(), { name: 'client' });
    while (reader.buffered < 3) await nextTurn();
    const mine = taskTree().filter((node) => node.task === client);
    expect(formatTaskTree(mine).split('\n')).toEqual([
      '<Task name=client pending>',
      '└── readLine() <StreamReader [buffered:3, waiting]>',
    ]);
    client.cancel();
    served.set();
    await gather([client], { returnExceptions: true });
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });
});
