// BullMQExecutor against BullMQ used directly: `pnpm bench:redis-executor`, written to
// bench/results/redis-executor-<node major>.json (the format of bench:redis-limiter's file).
//
// Paired rounds (bench/rounds.ts): each round runs both contenders once, in rotated order (A B,
// then B A, ...), each on a fresh queue of a throwaway redis-server: JOBS tiny jobs (add two
// numbers) submitted at once, the round timed from the first submit to the last result.
// - corio: `BullMQExecutor.submit(workerFunction)` for each job, run by `startWorker` (each job
//   in a WorkerPoolExecutor thread; cancel records and replies through Redis lists).
// - bullmq: `Queue.add` for each job, a `Worker` whose processor adds inline, and
//   `job.waitUntilFinished(queueEvents)` for each result.
// Both workers run CONCURRENCY jobs at once, in this process. The ratio corio/bullmq of jobs/s
// is taken round by round (above 1: corio is faster); its min, median and max are printed and
// written, with the load average at the start and the end.
import { loadavg } from 'node:os';
import { workerFunction } from '@corio/executor';
import { BullMQExecutor, startWorker } from '@corio/redis';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { startRedis } from '../docs/test/recipes-helpers.js';
import { corioSource, machine, writeResults } from './provenance.js';
import { measured, roundRatios, runRounds, spread } from './rounds.js';
import type { RoundFigures } from './rounds.js';

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

const TITLE = `${JOBS.toLocaleString('en-US')} tiny jobs (a + b) submitted at once, concurrency ${String(CONCURRENCY)}`;
const LABELS = {
  corio: 'BullMQExecutor + startWorker (each job in a worker thread)',
  bullmq: 'BullMQ 5 used directly (Queue.add, Worker, waitUntilFinished)',
};

const loadStart = loadavg();
console.log(
  `${TITLE}: ${String(ROUNDS)} rounds after 1 warm-up (rotated order); node ${process.version}`,
);
const started = performance.now();
let figures: RoundFigures;
try {
  figures = await runRounds(
    [
      { id: 'corio', label: LABELS.corio, sample: corio },
      { id: 'bullmq', label: LABELS.bullmq, sample: bullmq },
    ],
    {
      warmup: 1,
      rounds: ROUNDS,
      onRound: (round) => process.stderr.write(`round ${String(round)} `),
    },
  );
} finally {
  process.stderr.write('\n');
  await redis.stop();
}
const loadEnd = loadavg();
const corioRuns = measured(figures.get('corio') ?? []);
const bullmqRuns = measured(figures.get('bullmq') ?? []);
// corio ÷ bullmq round by round: jobs/s, so above 1 is corio faster.
const ratio = spread(roundRatios(corioRuns, bullmqRuns));
const a = spread(corioRuns);
const b = spread(bullmqRuns);
const f = (n: number): string => n.toFixed(0);
const load = (l: readonly number[]): string => l.map((n) => n.toFixed(2)).join(' ');
console.log(
  `corio ${f(a.median)} jobs/s (${f(a.min)}-${f(a.max)}), bullmq ${f(b.median)} jobs/s ` +
    `(${f(b.min)}-${f(b.max)}); corio / bullmq per round ${ratio.min.toFixed(2)}/` +
    `${ratio.median.toFixed(2)}/${ratio.max.toFixed(2)} (higher is better)`,
);
console.log(`load ${load(loadStart)} -> ${load(loadEnd)}`);
const file = await writeResults('redis-executor-', {
  machine: machine(),
  load: { start: loadStart, end: loadEnd },
  corio: await corioSource(['redis', 'executor']),
  seconds: (performance.now() - started) / 1000,
  cases: [
    {
      id: 'tiny',
      title: TITLE,
      unit: 'jobs/s',
      baseline: 'redis-executor.tiny.bullmq',
      plot: 'value',
    },
  ],
  results: [
    {
      id: 'redis-executor.tiny.bullmq',
      caseId: 'tiny',
      label: LABELS.bullmq,
      unit: 'jobs/s',
      ...b,
      runs: bullmqRuns,
    },
    {
      id: 'redis-executor.tiny.corio',
      caseId: 'tiny',
      label: LABELS.corio,
      unit: 'jobs/s',
      ...a,
      runs: corioRuns,
      vs: 'redis-executor.tiny.bullmq',
      ratio: ratio.median,
      ratioMin: ratio.min,
      ratioMax: ratio.max,
      paired: true,
    },
  ],
});
console.log(`wrote ${file}`);
