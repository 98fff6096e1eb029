// BullMQExecutor against BullMQ used directly: `pnpm bench:redis-executor`.
//
// Each round runs both contenders once, in rotated order (A B, then B A, ...), each on a fresh
// queue of a throwaway redis-server: JOBS tiny jobs (add two numbers) submitted at once, the
// round timed from the first submit to the last result.
// - corio: `BullMQExecutor.submit(workerFunction)` for each job, run by `startWorker` (each job
//   in a WorkerPoolExecutor thread; cancel records and replies through Redis lists).
// - bullmq: `Queue.add` for each job, a `Worker` whose processor adds inline, and
//   `job.waitUntilFinished(queueEvents)` for each result.
// Both workers run CONCURRENCY jobs at once, in this process. The ratio corio/bullmq of jobs/s
// is taken round by round: its min, median and max are printed, with the load average.
import { loadavg } from 'node:os';
import { workerFunction } from '@corio/executor';
import { BullMQExecutor, startWorker } from '@corio/redis';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { startRedis } from '../docs/test/recipes-helpers.js';
import { median } from './harness.js';

const JOBS = Number(process.env.JOBS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const CONCURRENCY = 4;
const SUM = (JOBS * (JOBS + 1)) / 2;

const add = workerFunction<(a: number, b: number) => number>(
  new URL('./redis-executor-jobs.ts', import.meta.url),
  'add',
);

const redis = await startRedis();
const connection = { host: '127.0.0.1', port: redis.port };
let queues = 0;

/** jobs/s of BullMQExecutor over a startWorker in this process. */
async function corio(): Promise<number> {
  const queue = `corio${String(++queues)}`;
  await using _worker = await startWorker({ connection, queue, concurrency: CONCURRENCY });
  await using executor = new BullMQExecutor({ connection, queue });
  await executor.submit(add, 0, 0); // connected, worker warm
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: JOBS }, (_, i) => executor.submit(add, i, 1)),
  );
  const ms = performance.now() - start;
  check(results);
  return (JOBS / ms) * 1000;
}

/** jobs/s of BullMQ used directly: Queue.add, a Worker, QueueEvents + waitUntilFinished. */
async function bullmq(): Promise<number> {
  const name = `bullmq${String(++queues)}`;
  const queue = new Queue(name, { connection });
  // Each concurrent add() listens for the queue's closing: JOBS of them at once is by design.
  queue.setMaxListeners(JOBS + 10);
  const events = new QueueEvents(name, { connection });
  const worker = new Worker<{ a: number; b: number }, number>(
    name,
    (job) => Promise.resolve(job.data.a + job.data.b),
    { connection, concurrency: CONCURRENCY },
  );
  try {
    await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
    const run = async (a: number, b: number): Promise<number> => {
      const job = await queue.add('add', { a, b }, { removeOnComplete: { age: 3600 } });
      return (await job.waitUntilFinished(events)) as number;
    };
    await run(0, 0);
    const start = performance.now();
    const results = await Promise.all(Array.from({ length: JOBS }, (_, i) => run(i, 1)));
    const ms = performance.now() - start;
    check(results);
    return (JOBS / ms) * 1000;
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
}

function check(results: number[]): void {
  const sum = results.reduce((a, b) => a + b, 0);
  if (sum !== SUM) throw new Error(`wrong results: sum ${String(sum)}, expected ${String(SUM)}`);
}

const contenders = { corio, bullmq };
type Name = keyof typeof contenders;
const loadBefore = loadavg();
console.log(
  `${String(JOBS)} tiny jobs submitted at once, concurrency ${String(CONCURRENCY)}, ` +
    `${String(ROUNDS)} rounds after 1 warm-up (rotated order); node ${process.version}`,
);
const ratios: number[] = [];
const figures: Record<Name, number[]> = { corio: [], bullmq: [] };
for (let round = 0; round <= ROUNDS; round++) {
  const order: Name[] = round % 2 === 0 ? ['corio', 'bullmq'] : ['bullmq', 'corio'];
  const got = {} as Record<Name, number>;
  for (const name of order) got[name] = await contenders[name]();
  if (round === 0) continue; // warm-up
  figures.corio.push(got.corio);
  figures.bullmq.push(got.bullmq);
  ratios.push(got.corio / got.bullmq);
  console.log(
    `round ${String(round)} (${order.join(' then ')}): corio ${got.corio.toFixed(0)} jobs/s, ` +
      `bullmq ${got.bullmq.toFixed(0)} jobs/s, ratio ${(got.corio / got.bullmq).toFixed(2)}`,
  );
}
const fmt = (n: number): string => n.toFixed(2);
console.log(
  `corio median ${median(figures.corio).toFixed(0)} jobs/s, bullmq median ` +
    `${median(figures.bullmq).toFixed(0)} jobs/s; ratio corio/bullmq median ` +
    `${fmt(median(ratios))} (min ${fmt(Math.min(...ratios))}, max ${fmt(Math.max(...ratios))})`,
);
console.log(
  `load average before ${loadBefore.map(fmt).join(' ')}, after ${loadavg().map(fmt).join(' ')}`,
);
await redis.stop();
