// Every stream wait begun in a callback that a task set up (a setImmediate or setTimeout
// callback, an EventEmitter listener emitted from a timer of the task) runs in the task's async
// context: the task's cancellation interrupts it at once, the callback cannot consume that
// cancellation (the task's own code still gets it), and the connection is left intact.
import { describe, expect, it } from 'vitest';
import { Event, Future, createTask, currentTask } from '@corio/core';
import type { Task } from '@corio/core';
import { openConnection } from '@corio/streams';
import type { StreamReader, StreamWriter } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn } from './helpers.js';
import { listen } from './net-helpers.js';
import type { Tracked } from '../../core/test/callback-waits-shared.js';
import {
  ORIGINS,
  OWNS,
  callbackCases,
  cancelMidWait,
  checkNoLeakedTimers,
  gate,
  ownCode,
  track,
} from '../../core/test/callback-waits-shared.js';

checkNoLeakedSockets();
checkNoLeakedTimers();

/** A connection: the client's side, whose waits the tests begin, and the server's. */
interface Connection {
  readonly reader: StreamReader;
  readonly writer: StreamWriter;
  readonly peer: { readonly reader: StreamReader; readonly writer: StreamWriter };
  /** What a wait saw before it was interrupted (the lines of a `for await`). */
  readonly seen: string[];
  close: () => Promise<void>;
}

async function connect(): Promise<Connection> {
  const finished = new Event();
  const accepted = new Future<[StreamReader, StreamWriter]>();
  const { server, port } = await listen(async (reader, writer) => {
    accepted.setResult([reader, writer]);
    await finished.wait();
    writer.close();
    await writer.waitClosed();
  });
  const [reader, writer] = await openConnection('127.0.0.1', port);
  const [peerReader, peerWriter] = await accepted;
  return {
    reader,
    writer,
    peer: { reader: peerReader, writer: peerWriter },
    seen: [],
    close: async () => {
      writer.close();
      await writer.waitClosed();
      finished.set();
      server.close();
      await server.waitClosed();
    },
  };
}

/** Waits (turn by turn, no clock) until `reader` holds at least `n` bytes. */
async function buffered(reader: StreamReader, n: number): Promise<void> {
  while (reader.buffered < n) await nextTurn();
}

/** The peer sends `text`; resolves once the client's reader holds it. */
async function arrives(c: Connection, text: string): Promise<void> {
  const before = c.reader.buffered;
  c.peer.writer.write(text);
  await buffered(c.reader, before + Buffer.byteLength(text));
}

const MiB = 1024 * 1024;
/** More than the kernel can hold for a peer that does not read (tcp_wmem + tcp_rmem maxima). */
const UNREAD = 64 * MiB;

interface WaitKind {
  readonly name: string;
  /** Brings the connection where the wait has to wait. */
  readonly prepare?: (c: Connection) => Promise<void>;
  /** Begins the wait (called in the callback). */
  readonly begin: (c: Connection) => Promise<unknown>;
  /** Whether the connection shows the wait as waiting. */
  readonly waiting: (c: Connection) => boolean;
  /** Checks that nothing was lost: the connection still works as it should. */
  readonly after: (c: Connection) => Promise<void>;
}

const WAITS: readonly WaitKind[] = [
  {
    name: 'StreamReader.read(n)',
    begin: (c) => c.reader.read(100),
    waiting: (c) => String(c.reader) === '<StreamReader [buffered:0, waiting]>',
    after: async (c) => {
      c.peer.writer.write('late');
      expect((await c.reader.read(100)).toString()).toBe('late');
    },
  },
  {
    name: 'StreamReader.readExactly()',
    prepare: (c) => arrives(c, '01234'),
    begin: (c) => c.reader.readExactly(10),
    waiting: (c) => String(c.reader) === '<StreamReader [buffered:5, waiting]>',
    after: async (c) => {
      c.peer.writer.write('56789');
      expect((await c.reader.readExactly(10)).toString()).toBe('0123456789');
    },
  },
  {
    name: 'StreamReader.readUntil()',
    // Half of the separator is there already.
    prepare: (c) => arrives(c, 'head\r'),
    begin: (c) => c.reader.readUntil('\r\n'),
    waiting: (c) => String(c.reader) === '<StreamReader [buffered:5, waiting]>',
    after: async (c) => {
      c.peer.writer.write('\nbody');
      expect((await c.reader.readUntil('\r\n')).toString()).toBe('head\r\n');
      expect((await c.reader.readExactly(4)).toString()).toBe('body');
    },
  },
  {
    name: 'StreamReader.readLine()',
    prepare: (c) => arrives(c, 'par'),
    begin: (c) => c.reader.readLine(),
    waiting: (c) => String(c.reader) === '<StreamReader [buffered:3, waiting]>',
    after: async (c) => {
      c.peer.writer.write('tial\n');
      expect((await c.reader.readLine()).toString()).toBe('partial\n');
    },
  },
  {
    name: 'for await over the lines of a StreamReader',
    prepare: (c) => arrives(c, 'one\ntw'),
    begin: async (c) => {
      for await (const line of c.reader) c.seen.push(line.toString());
    },
    waiting: (c) => String(c.reader) === '<StreamReader [buffered:2, waiting]>',
    after: async (c) => {
      expect(c.seen).toEqual(['one\n']);
      c.peer.writer.write('o\n');
      expect((await c.reader.readLine()).toString()).toBe('two\n');
    },
  },
  {
    name: 'StreamWriter.drain()',
    // The peer reads nothing: its reader pauses the socket, the kernel's buffers fill up.
    prepare: async (c) => {
      const chunk = Buffer.alloc(MiB, 'x');
      for (let sent = 0; sent < UNREAD; sent += MiB) c.writer.write(chunk);
      await nextTurn();
    },
    begin: (c) => c.writer.drain(),
    waiting: (c) => c.writer.getExtraInfo('socket').writableNeedDrain,
    after: async (c) => {
      // The writer still drains once the peer reads, and every byte arrives, in order.
      const reading = (async () => {
        let total = 0;
        let tail = Buffer.alloc(0);
        for (;;) {
          const data = await c.peer.reader.read(MiB);
          if (data.length === 0) return { total, tail: tail.toString() };
          total += data.length;
          tail = Buffer.concat([tail, data]).subarray(-5);
        }
      })();
      await c.writer.drain();
      c.writer.write('.tail');
      c.writer.writeEof();
      expect(await reading).toEqual({ total: UNREAD + 5, tail: '.tail' });
    },
  },
  {
    name: 'StreamWriter.waitClosed()',
    begin: (c) => c.writer.waitClosed(),
    waiting: (c) => !c.writer.isClosing() && String(c.writer).startsWith('<StreamWriter [open'),
    after: async (c) => {
      // Still open both ways; it closes, and waitClosed() then resolves.
      c.writer.write('ping\n');
      expect((await c.peer.reader.readLine()).toString()).toBe('ping\n');
      c.peer.writer.write('pong\n');
      expect((await c.reader.readLine()).toString()).toBe('pong\n');
      c.writer.close();
      await c.writer.waitClosed();
      expect(String(c.writer)).toBe('<StreamWriter [closed, buffered:0]>');
    },
  },
];

const CASES = callbackCases(WAITS);

describe('a stream wait begun in a callback that a task set up', () => {
  it.each(CASES)(
    '$wait.name in $origin.name, the own code awaiting $own: interrupted, the cancel not consumed, nothing lost',
    async ({ wait, origin, own }) => {
      const c = await connect();
      try {
        await wait.prepare?.(c);
        const begun = new Future<Tracked>();
        const foreign = gate();
        const log: string[] = [];
        const task = createTask(async () => {
          origin.setUp(() => {
            begun.setResult(track(wait.begin(c)));
          });
          await ownCode(own, foreign.promise, log);
        });
        const waitInCallback = await begun;
        await nextTurn();
        expect(wait.waiting(c)).toBe(true);
        await cancelMidWait(task, waitInCallback, { kind: own, foreign, log });
        await wait.after(c);
      } finally {
        await c.close();
      }
    },
  );
});

describe('a read begun in a callback that a connection handler of startServer() set up', () => {
  it.each(ORIGINS.flatMap((origin) => OWNS.map((own) => ({ origin, own }))))(
    "in $origin.name, the handler awaiting $own: cancelling the handler's task interrupts it; the server serves on, no byte lost",
    async ({ origin, own }) => {
      const foreign = gate();
      const log: string[] = [];
      const begun = new Future<{ task: Task<unknown>; reader: StreamReader; read: Tracked }>();
      // Each handler runs as a task of its own: the callbacks it sets up run in its context.
      let clients = 0;
      const { server, port } = await listen(async (reader, writer) => {
        if (++clients > 1) {
          writer.write('served\n');
          writer.close();
          return;
        }
        origin.setUp(() => {
          const task = currentTask() as Task<unknown>;
          begun.setResult({ task, reader, read: track(reader.readLine()) });
        });
        await ownCode(own, foreign.promise, log);
      });
      const [, clientWriter] = await openConnection('127.0.0.1', port);
      try {
        clientWriter.write('par');
        const { task, reader, read } = await begun;
        await buffered(reader, 3);
        expect(String(reader)).toBe('<StreamReader [buffered:3, waiting]>');
        await cancelMidWait(task, read, { kind: own, foreign, log });
        await nextTurn();
        expect(String(server)).toBe('<Server [serving, clients:1, handlers:0]>');
        clientWriter.write('tial\n');
        expect((await reader.readLine()).toString()).toBe('partial\n');
        // Another client is served as usual.
        const [otherReader, other] = await openConnection('127.0.0.1', port);
        expect((await otherReader.read()).toString()).toBe('served\n');
        other.close();
        await other.waitClosed();
      } finally {
        clientWriter.close();
        await clientWriter.waitClosed();
        server.close();
        server.closeClients();
        await server.waitClosed();
      }
    },
  );
});
