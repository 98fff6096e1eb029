import { describe, expect, it } from 'vitest';
import { Event, TimeoutError, createTask, now, timeout, waitFor } from '@corio/core';
import { withVirtualClock } from '@corio/core/testing';
import { openConnection } from '@corio/streams';
import type { ClientConnectedCallback, StreamReader, StreamWriter } from '@corio/streams';
import { checkNoLeakedSockets, flushMicrotasks, nextTurn, track } from '../test/helpers.js';
import { listen } from '../test/net-helpers.js';

checkNoLeakedSockets();

// Deadlines here are already passed (`0`, or rescheduled to `now()`): they expire at the next
// turn of the event loop, so these tests need no fake timers and no sleeps.

/** Echoes every chunk as it comes (not line by line), until EOF. */
const echoChunks: ClientConnectedCallback = async (reader, writer) => {
  for (;;) {
    const data = await reader.read(65536);
    if (data.length === 0) break;
    writer.write(data);
  }
  writer.close();
  await writer.waitClosed();
};

/** Runs `test` on a connection to an echo server, then closes everything. */
async function withEcho(
  test: (reader: StreamReader, writer: StreamWriter) => Promise<void>,
): Promise<void> {
  const { server, port } = await listen(echoChunks);
  const [reader, writer] = await openConnection('127.0.0.1', port);
  try {
    await test(reader, writer);
  } finally {
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  }
}

/** Sends `text` and waits until the reader holds `buffered` bytes. */
async function echoed(
  reader: StreamReader,
  writer: StreamWriter,
  text: string,
  buffered: number,
): Promise<void> {
  writer.write(text);
  while (reader.buffered < buffered) await nextTurn();
}

describe('Stream reads under timeout() and waitFor()', () => {
  it('waitFor(reader.readLine(), 0) with a line buffered returns the line', async () => {
    await withEcho(async (reader, writer) => {
      await echoed(reader, writer, 'one\ntwo\n', 8);
      expect((await waitFor(reader.readLine(), 0)).toString()).toBe('one\n');
      const inTask = createTask(() => waitFor(reader.readLine(), 0));
      expect((await inTask).toString()).toBe('two\n');
      expect(reader.buffered).toBe(0);
    });
  });

  it('timeout(0, …) around a readLine() with a line buffered returns the line', async () => {
    await withEcho(async (reader, writer) => {
      await echoed(reader, writer, 'one\ntwo\n', 8);
      expect((await timeout(0, () => reader.readLine())).toString()).toBe('one\n');
      const inTask = createTask(() => timeout(0, () => reader.readLine()));
      expect((await inTask).toString()).toBe('two\n');
    });
  });

  it('waitFor(reader.readLine(), 0) cancels the waiting read at the deadline: TimeoutError, no bytes lost', async () => {
    await withEcho(async (reader, writer) => {
      await echoed(reader, writer, 'par', 3);
      await expect(waitFor(reader.readLine(), 0)).rejects.toBeInstanceOf(TimeoutError);
      // The read is gone, not left waiting behind the deadline, and took nothing.
      expect(String(reader)).toBe('<StreamReader [buffered:3]>');
      writer.write('tial\n');
      expect((await reader.readLine()).toString()).toBe('partial\n');
    });
  });

  it('waitFor(…, 0) in a task cancels a readExactly() waiting there: no bytes lost', async () => {
    await withEcho(async (reader, writer) => {
      await echoed(reader, writer, '01234', 5);
      const task = createTask(() => waitFor(reader.readExactly(10), 0));
      await expect(task).rejects.toBeInstanceOf(TimeoutError);
      expect(reader.buffered).toBe(5);
      writer.write('56789');
      expect((await reader.readExactly(10)).toString()).toBe('0123456789');
    });
  });

  it('a readLine() cancelled by its timeout() scope expiring rejects with TimeoutError and loses no bytes', async () => {
    await withEcho(async (reader, writer) => {
      await echoed(reader, writer, 'par', 3);
      const task = createTask(() => timeout(0, () => reader.readLine()));
      await expect(task).rejects.toBeInstanceOf(TimeoutError);
      expect(String(reader)).toBe('<StreamReader [buffered:3]>');
      // Outside any task, the scope's body runs in a task of its own: the same.
      await expect(timeout(0, () => reader.readLine())).rejects.toBeInstanceOf(TimeoutError);
      expect(reader.buffered).toBe(3);
      writer.write('tial\n');
      expect((await reader.readLine()).toString()).toBe('partial\n');
    });
  });

  it('for await over the reader in a timeout() scope ends with TimeoutError between lines; the next line is still read', async () => {
    await withEcho(async (reader, writer) => {
      await echoed(reader, writer, 'a\nb', 3);
      const lines: string[] = [];
      const task = createTask(() =>
        timeout(0, async () => {
          for await (const line of reader) lines.push(line.toString());
        }),
      );
      await expect(task).rejects.toBeInstanceOf(TimeoutError);
      expect(lines).toEqual(['a\n']);
      writer.write('\n');
      expect((await reader.readLine()).toString()).toBe('b\n');
    });
  });

  it('a read begun in a callback the task set up is not cancelled by a timeout() scope expiring elsewhere in the task', async () => {
    await withEcho(async (reader, writer) => {
      const outcome = createTask(async () => {
        let read: ReturnType<typeof track<Buffer>> | undefined;
        const begun = new Event();
        // Set up by the task, outside the scope: the callback runs in the task's context, while
        // the scope below is open.
        setTimeout(() => {
          read = track(reader.readLine());
          begun.set();
        }, 0);
        await expect(
          timeout(null, async (scope) => {
            await begun.wait();
            scope.reschedule(now());
            await new Event().wait();
          }),
        ).rejects.toBeInstanceOf(TimeoutError);
        const callbackRead = read as NonNullable<typeof read>;
        await flushMicrotasks();
        expect(callbackRead.settled).toBe(false);
        expect(String(reader)).toBe('<StreamReader [buffered:0, waiting]>');
        writer.write('late\n');
        return (await callbackRead.promise).toString();
      });
      expect(await outcome).toBe('late\n');
    });
  });
});

describe('Stream reads on a virtual clock (@corio/core/testing)', () => {
  it('a read that gets nothing times out at the virtual deadline: open sockets hold no jump back', async () => {
    const log: string[] = [];
    await withVirtualClock(
      () =>
        withEcho(async (reader, writer) => {
          // The echo comes back in real time; waiting for it with nextTurn() is never idle.
          await echoed(reader, writer, 'ping\n', 5);
          log.push((await timeout(5_000, () => reader.readLine())).toString().trim());
          // The peer says nothing more: the deadline passes at once, in virtual time.
          const error = await timeout(30_000, () => reader.readLine()).catch((e: unknown) => e);
          log.push(`${(error as Error).name} at ${String(now())}`);
        }),
      { autojump: true },
    );
    expect(log).toEqual(['ping', 'TimeoutError at 30000']);
  });
});
