// The servers of the HTTP benchmark, one per process:
// `tsx bench/http-server.ts <corio|node-http|raw> [streams module]` (the module, a path,
// defaults to @corio/streams: another build of it makes before/after figures). Each answers
// every HTTP/1.1 request on a keep-alive connection with the same 5-byte `hello`. Prints
// `{"port": N}` once listening, answers `cpu` lines on stdin with its CPU time, and serves until
// its stdin closes.
//   corio:     startServer; per request readUntil('\r\n\r\n'), write, drain
//   node-http: node:http's server, `res.end('hello')`
//   raw:       node:net with a minimal parser: counts the '\r\n\r\n' in each chunk and answers
//              them with one write (the floor for a server that parses heads in JavaScript)
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import type * as Streams from '@corio/streams';
import { answerCpu } from './streams-rounds.js';

const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
);
const HEAD_END = Buffer.from('\r\n\r\n');

/** Answers each request head in each chunk, keeping a head split across chunks for the next. */
function raw(socket: Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  let rest: Buffer | undefined;
  socket.on('data', (data: Buffer) => {
    const chunk = rest === undefined ? data : Buffer.concat([rest, data]);
    let count = 0;
    let start = 0;
    for (let end = chunk.indexOf(HEAD_END); end !== -1; end = chunk.indexOf(HEAD_END, start)) {
      count++;
      start = end + 4;
    }
    rest = start < chunk.length ? chunk.subarray(start) : undefined;
    if (count === 1) socket.write(RESPONSE);
    else if (count > 1) socket.write(Buffer.concat(new Array<Buffer>(count).fill(RESPONSE)));
  });
}

async function corio(
  module: string | undefined,
): Promise<{ port: number; close: () => Promise<void> }> {
  const streams = (await import(
    module === undefined ? '@corio/streams' : pathToFileURL(module).href
  )) as typeof Streams;
  const { isConnectionResetError, isIncompleteReadError, startServer } = streams;
  const server = await startServer(
    async (reader, writer) => {
      try {
        for (;;) {
          await reader.readUntil('\r\n\r\n');
          writer.write(RESPONSE);
          await writer.drain();
        }
      } catch (error) {
        // The load generator hangs up between requests, or resets.
        if (!isIncompleteReadError(error) && !isConnectionResetError(error)) throw error;
      }
      writer.close();
    },
    '127.0.0.1',
    0,
  );
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.close();
      server.abortClients();
      await server.waitClosed();
    },
  };
}

async function listen(
  server: NetServer | HttpServer,
): Promise<{ port: number; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const [kind, module] = process.argv.slice(2);
  let running: { port: number; close: () => Promise<void> };
  if (kind === 'corio') {
    running = await corio(module);
  } else if (kind === 'node-http') {
    running = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 5 });
        res.end('hello');
      }),
    );
  } else if (kind === 'raw') {
    running = await listen(createServer(raw));
  } else {
    throw new RangeError(`http-server: unknown kind ${String(kind)}`);
  }
  console.log(JSON.stringify({ port: running.port }));
  answerCpu(running.close);
}

await main();
