// The clients of the streams benchmark, one per process:
// `tsx bench/streams-client.ts <raw|corio|corio-chunks> <echo|lines> <port> [streams module]`.
// Prints `{}` once ready; on each `run` line on stdin, connects, sends the payload and waits for
// all of it to come back, then prints `{"ms": N, "cpuMs": N}`: the time from the connection's
// first byte sent to the last byte received, and the CPU time this process spent on the run.
// Serves until its stdin closes.
//   raw:   node:net, writes with backpressure, counts the bytes that come back
//   corio: openConnection, write/drain; reads back with readExactly(64 KiB) (echo) or readLine
//          per line (lines), checking the bytes
//   corio-chunks: the same, reading back with read(64 KiB): what has arrived, whole chunks
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type * as Streams from '@corio/streams';
import { cpuMs } from './streams-rounds.js';
import { CHUNK, ECHO_BYTES, LINES, LINE_LENGTH, linesPayload } from './streams-payload.js';

/** Sends `payload` in 64 KiB chunks over node:net and resolves once as many bytes came back. */
function rawRun(port: number, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let received = 0;
    let start = 0;
    socket.on('error', reject);
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= payload.length) {
        const ms = performance.now() - start;
        socket.end();
        socket.once('close', () => {
          resolve(ms);
        });
        socket.resume();
      }
    });
    socket.once('connect', () => {
      start = performance.now();
      let offset = 0;
      const pump = (): void => {
        while (offset < payload.length) {
          const chunk = payload.subarray(offset, offset + CHUNK);
          offset += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

/** The same with corio at this end too: write/drain, and the reads the case names. */
async function corioRun(
  streams: typeof Streams,
  port: number,
  payload: Buffer,
  mode: 'exactly' | 'chunks' | 'lines',
): Promise<number> {
  const [reader, writer] = await streams.openConnection('127.0.0.1', port);
  const start = performance.now();
  const send = (async () => {
    for (let offset = 0; offset < payload.length; offset += CHUNK) {
      writer.write(payload.subarray(offset, offset + CHUNK));
      await writer.drain();
    }
  })();
  let received = 0;
  if (mode === 'lines') {
    for (let i = 0; i < LINES; i++) {
      const line = await reader.readLine();
      if (line.length !== LINE_LENGTH || line[LINE_LENGTH - 1] !== 0x0a) {
        throw new Error(`streams-client: line ${String(i)} came back as ${line.toString()}`);
      }
      received += line.length;
    }
  } else if (mode === 'chunks') {
    while (received < payload.length) {
      const data = await reader.read(CHUNK);
      if (data.length === 0) throw new Error(`streams-client: EOF after ${String(received)} bytes`);
      received += data.length;
    }
  } else {
    while (received < payload.length) {
      received += (await reader.readExactly(Math.min(CHUNK, payload.length - received))).length;
    }
  }
  const ms = performance.now() - start;
  await send;
  writer.close();
  await writer.waitClosed();
  return ms;
}

async function main(): Promise<void> {
  const [kind, caseId, portText, module] = process.argv.slice(2);
  const port = Number(portText);
  const kinds = ['raw', 'corio', 'corio-chunks'];
  if (!kinds.includes(kind ?? '') || (caseId !== 'echo' && caseId !== 'lines')) {
    throw new RangeError(`streams-client: unknown kind or case ${String(kind)} ${String(caseId)}`);
  }
  const streams = (await import(
    module === undefined ? '@corio/streams' : pathToFileURL(module).href
  )) as typeof Streams;
  const payload =
    caseId === 'echo' ? Buffer.alloc(ECHO_BYTES, 'corio streams benchmark ') : linesPayload();
  console.log('{}');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'run') continue;
    const cpu = cpuMs();
    const ms =
      kind === 'raw'
        ? await rawRun(port, payload)
        : await corioRun(
            streams,
            port,
            payload,
            caseId === 'lines' ? 'lines' : kind === 'corio-chunks' ? 'chunks' : 'exactly',
          );
    console.log(JSON.stringify({ ms, cpuMs: cpuMs() - cpu }));
  }
}

await main();
