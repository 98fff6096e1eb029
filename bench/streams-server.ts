// The servers of the streams benchmark, one per process:
// `tsx bench/streams-server.ts <kind> [streams module]` (the module, a path, defaults to
// @corio/streams: another build of it makes before/after figures). Prints `{"port": N}` once
// listening and serves until its stdin closes; answers `cpu` lines with its CPU time.
import { createServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { answerCpu } from './streams-rounds.js';
import { pathToFileURL } from 'node:url';
import type * as Streams from '@corio/streams';
import type { ClientConnectedCallback } from '@corio/streams';

const module = process.argv[3];
const { IncompleteReadError, startServer } = (await import(
  module === undefined ? '@corio/streams' : pathToFileURL(module).href
)) as typeof Streams;

const CHUNK = 65536;

/** Echoes bytes: `socket.pipe(socket)`, the floor for any stream library on Node. */
function rawPipe(socket: Socket): void {
  socket.on('error', () => undefined);
  socket.pipe(socket);
}

/** Echoes lines by splitting the socket's chunks by hand: a write per line, one cork per chunk. */
function rawLines(socket: Socket): void {
  socket.on('error', () => undefined);
  let rest: Buffer | undefined;
  socket.on('data', (data: Buffer) => {
    const chunk = rest === undefined ? data : Buffer.concat([rest, data]);
    let start = 0;
    socket.cork();
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      socket.write(chunk.subarray(start, end + 1));
      start = end + 1;
    }
    socket.uncork();
    rest = start < chunk.length ? chunk.subarray(start) : undefined;
    if (socket.writableNeedDrain) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  });
  socket.on('end', () => socket.end());
}

/** Echoes lines with node:readline's 'line' events (strings), pausing on backpressure. */
function readlineLines(socket: Socket): void {
  socket.on('error', () => undefined);
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!socket.write(`${line}\n`)) {
      lines.pause();
      socket.once('drain', () => lines.resume());
    }
  });
  lines.on('close', () => socket.end());
}

/** corio: readExactly(64 KiB), write, drain. */
const corioBytes: ClientConnectedCallback = async (reader, writer) => {
  try {
    for (;;) {
      writer.write(await reader.readExactly(CHUNK));
      await writer.drain();
    }
  } catch (error) {
    if (!(error instanceof IncompleteReadError)) throw error;
    if (error.partial.length > 0) writer.write(error.partial);
  }
  writer.close();
  await writer.waitClosed();
};

/**
 * corio: read(64 KiB), write, drain: whatever has arrived, up to 64 KiB, as asyncio's echo
 * servers read; a whole received chunk comes as it is, without a copy.
 */
const corioChunks: ClientConnectedCallback = async (reader, writer) => {
  for (;;) {
    const data = await reader.read(CHUNK);
    if (data.length === 0) break;
    writer.write(data);
    await writer.drain();
  }
  writer.close();
  await writer.waitClosed();
};

/** corio: readLine, write, drain, per line. */
const corioLines: ClientConnectedCallback = async (reader, writer) => {
  for (;;) {
    const line = await reader.readLine();
    if (line.length === 0) break;
    writer.write(line);
    await writer.drain();
  }
  writer.close();
  await writer.waitClosed();
};

async function main(): Promise<void> {
  const kind = process.argv[2];
  let close: () => Promise<void>;
  let port: number;
  const corioHandlers: Record<string, ClientConnectedCallback> = {
    'corio-bytes': corioBytes,
    'corio-chunks': corioChunks,
    'corio-lines': corioLines,
  };
  const corioHandler = corioHandlers[kind ?? ''];
  if (corioHandler !== undefined) {
    const server = await startServer(corioHandler, '127.0.0.1', 0);
    port = (server.address() as AddressInfo).port;
    close = async () => {
      server.close();
      server.abortClients();
      await server.waitClosed();
    };
  } else {
    const handlers: Record<string, (socket: Socket) => void> = {
      'raw-pipe': rawPipe,
      'raw-lines': rawLines,
      'readline-lines': readlineLines,
    };
    const handler = handlers[kind ?? ''];
    if (handler === undefined) throw new RangeError(`streams-server: unknown kind ${String(kind)}`);
    const server: NetServer = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    close = () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
  }
  console.log(JSON.stringify({ port }));
  answerCpu(close);
}

await main();
