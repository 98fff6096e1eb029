import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { isMainThread } from 'node:worker_threads';
import { TimeoutError, run, waitFor } from '@corio/core';
import { currentJob, workerFunction } from '@corio/executor';
import { BullMQExecutor, startWorker } from '@corio/redis';

const connection = {
  host: process.env.REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.REDIS_PORT ?? 6379),
};
const queue = 'recipe-primes';

// The jobs: exported functions of a module that the workers can import
// (here this very file). They travel as a URL and an export name: no
// closure crosses processes.
export function countPrimes([from, to]: [number, number]): number {
  const job = currentJob();
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    // A loop that never awaits checks for its cancellation now and then.
    if (n % 4096 === 0) job.throwIfCancelled();
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export function parseRecord(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new SyntaxError(`bad record ${line}`, { cause: error });
  }
}

const primes = workerFunction<typeof countPrimes>(
  import.meta.url,
  'countPrimes',
);
const parse = workerFunction<typeof parseRecord>(
  import.meta.url,
  'parseRecord',
);

// A worker process: what `corio-worker --redis redis://host:port
// --queue recipe-primes --concurrency 2` runs on each machine.
async function worker(): Promise<void> {
  const running = await startWorker({
    connection,
    queue,
    concurrency: 2,
  });
  process.send?.('ready');
  await once(process, 'disconnect'); // the parent says stop
  await running.close(); // lets the running jobs end
}

async function main(): Promise<void> {
  const workers = [1, 2].map(() =>
    fork(import.meta.filename, ['worker'], { stdio: 'ignore' }),
  );
  await Promise.all(workers.map((child) => once(child, 'message')));
  console.log(`${String(workers.length)} worker processes ready`);

  await using executor = new BullMQExecutor({ connection, queue });

  // map(): one job per range, spread over both processes, the results
  // in input order.
  const ranges: [number, number][] = [0, 1, 2, 3].map((i) => [
    i * 250_000,
    (i + 1) * 250_000,
  ]);
  const counts: number[] = [];
  for await (const count of executor.map(primes, ranges)) {
    counts.push(count);
  }
  console.log(
    `primes below 1,000,000 per quarter: ${counts.join(', ')}`,
  );
  assert.equal(
    counts.reduce((a, b) => a + b),
    78_498,
  );

  // A deadline reaches the job where it runs: its loop sees the cancel.
  const huge = executor.submit(primes, [0, 1e12]);
  const error = await waitFor(huge, 500).catch((e: unknown) => e);
  assert.ok(error instanceof TimeoutError);
  await huge.cancelAcknowledged(); // the cancel is recorded in Redis
  console.log(
    'a job past its deadline: TimeoutError, stopped remotely',
  );

  // A job's error comes back with its name, message and cause.
  const failure = await executor
    .submit(parse, '{oops')
    .catch((e: unknown) => e as Error);
  assert.ok(failure instanceof SyntaxError);
  const cause = failure.cause as Error;
  console.log(
    `${failure.name}: ${failure.message} (cause: ${cause.name})`,
  );

  for (const child of workers) child.disconnect();
  await Promise.all(workers.map((child) => once(child, 'exit')));
  console.log('worker processes stopped');
}

// The worker threads that import this file for its jobs do nothing else.
if (isMainThread) {
  if (process.argv[2] === 'worker') await worker();
  else await run(main);
}
