#!/usr/bin/env node
// corio-worker: startWorker() as a program. Runs the jobs of a BullMQExecutor's queue until
// SIGTERM or SIGINT, then lets the running jobs finish and exits.
import { parseArgs } from 'node:util';
import { startWorker } from './start-worker.js';

const USAGE = 'usage: corio-worker --redis redis://host:port --queue name [--concurrency n]';

const { values } = parseArgs({
  options: {
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    queue: { type: 'string' },
    concurrency: { type: 'string' },
    'lock-duration-ms': { type: 'string' },
    'stalled-interval-ms': { type: 'string' },
  },
});

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`corio-worker: --${name} must be a positive integer, received ${text}\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

if (values.queue === undefined) {
  console.error(`corio-worker: --queue is required\n${USAGE}`);
  process.exit(2);
}
const url = new URL(values.redis);
const worker = await startWorker({
  connection: {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
  },
  queue: values.queue,
  concurrency: number('concurrency', values.concurrency),
  lockDurationMs: number('lock-duration-ms', values['lock-duration-ms']),
  stalledIntervalMs: number('stalled-interval-ms', values['stalled-interval-ms']),
}).catch((error: unknown) => {
  console.error(`corio-worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`corio-worker ${String(process.pid)} ready: queue '${values.queue}'`);

const stop = (): void => {
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  void worker.close().then(() => {
    console.log(`corio-worker ${String(process.pid)} stopped`);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
