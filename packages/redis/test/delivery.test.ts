// The proof of the delivery semantics, with real processes: 2 corio-worker processes, 1,000 jobs
// from 2 submitting processes, random cancels, and one worker killed (SIGKILL) while it is surely
// mid-job. Every job not cancelled completes, at most twice run (BullMQ's stalled-job recovery
// with maxStalledCount 1), a second run only after the killed worker's; no job whose cancel was
// acknowledged as 'not-started' ever starts. Runs and ends are counted by the jobs in Redis.
import { BrokenWorkerError } from '@corio/executor';
import { BullMQExecutor, startWorker } from '@corio/redis';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProofRecord } from './fixtures/proof-submitter.js';
import { die, exitOf, popWhenPushed, spawnTs, stdoutMatching, testClient } from './helpers.js';
import { useRedisServer } from './redis-server.js';

const redis = useRedisServer();
const children: ReturnType<typeof spawnTs>[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function worker(queue = 'proof'): ReturnType<typeof spawnTs> {
  const child = spawnTs('packages/redis/src/corio-worker.ts', [
    '--redis',
    `redis://127.0.0.1:${String(redis.port)}`,
    '--queue',
    queue,
    '--concurrency',
    '3',
    // A dead worker's jobs run again within about 6 s: the lock expires after 5 s, and the
    // other worker looks for stalled jobs every second.
    '--lock-duration-ms',
    '5000',
    '--stalled-interval-ms',
    '1000',
  ]);
  children.push(child);
  return child;
}

function submitter(tag: string, seed: number): ReturnType<typeof spawnTs> {
  const child = spawnTs('packages/redis/test/fixtures/proof-submitter.ts', [
    String(redis.port),
    'proof',
    tag,
    '500',
    String(seed),
  ]);
  children.push(child);
  return child;
}

/** All of a child's stdout, once it has exited. */
async function outputOf(child: ReturnType<typeof spawnTs>): Promise<string> {
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = await exitOf(child);
  expect(exit, err).toEqual({ code: 0, signal: null });
  return out;
}

describe('BullMQExecutor across processes', () => {
  it('1,000 jobs, 2 workers (one killed mid-job), 2 submitters, random cancels: no job lost, none run after its cancel', async () => {
    await using client = testClient(redis.port);
    const [doomed, survivor] = [worker(), worker()];
    await Promise.all([
      stdoutMatching(doomed, /ready: queue 'proof'/),
      stdoutMatching(survivor, /ready: queue 'proof'/),
    ]);
    const outputs = [outputOf(submitter('a', 1)), outputOf(submitter('b', 2))];

    // Mid-run: once 300 jobs have begun, the doomed worker's next job reports and hangs; the
    // worker is killed while it runs that job (and whatever else it holds).
    await popWhenPushed(client, 'progress:300');
    await client.set('victim', String(doomed.pid));
    const victim = await popWhenPushed(client, 'victim-busy');
    doomed.kill('SIGKILL');
    expect(await exitOf(doomed)).toEqual({ code: null, signal: 'SIGKILL' });

    const records = (await Promise.all(outputs)).flatMap((out) => JSON.parse(out) as ProofRecord[]);
    survivor.kill('SIGTERM'); // a clean stop: it lets its jobs end, then exits by itself
    expect(await exitOf(survivor)).toEqual({ code: 0, signal: null });

    expect(records).toHaveLength(1000);
    const dead = String(doomed.pid);
    const live = String(survivor.pid);
    const counts = { ok: 0, rerun: 0, cancelledBeforeStart: 0, cancelledRunning: 0 };
    for (const record of records) {
      const runs = await client.lrange(`runs:${record.key}`, 0, -1);
      const ends = await client.lrange(`ends:${record.key}`, 0, -1);
      const where = `${record.key}: ${JSON.stringify({ record, runs, ends })}`;
      // Nothing failed: one dead worker is within maxStalledCount.
      expect(record.state, where).not.toBe('failed');
      if (record.state === 'cancelled') {
        expect(record.ack, where).toMatch(/^(not-started|started)$/);
        if (record.ack === 'not-started') {
          // The acknowledgement's promise: it never started, anywhere.
          expect(runs, where).toEqual([]);
          counts.cancelledBeforeStart++;
        } else {
          // A worker had claimed it: its function may not have reached its first line yet.
          expect(runs.length, where).toBeLessThanOrEqual(2);
          counts.cancelledRunning++;
        }
        continue;
      }
      expect(record.result, where).toBe(record.value);
      // At least once, at most twice; a second run only after a run in the killed worker.
      expect(runs.length, where).toBeGreaterThanOrEqual(1);
      expect(runs.length, where).toBeLessThanOrEqual(2);
      if (runs.length === 2) {
        expect(runs[0], where).toBe(dead);
        expect(runs[1], where).toBe(live);
        counts.rerun++;
      }
      expect(ends.length, where).toBeGreaterThanOrEqual(1);
      expect(ends.length, where).toBeLessThanOrEqual(runs.length);
      counts.ok++;
    }
    // The job the worker died in was run again by the other, to completion.
    expect(await client.lrange(`runs:${victim}`, 0, -1)).toEqual([dead, live]);
    expect(await client.lrange(`ends:${victim}`, 0, -1)).toEqual([live]);
    expect(counts.cancelledBeforeStart).toBeGreaterThan(0);
    expect(counts.ok + counts.cancelledBeforeStart + counts.cancelledRunning).toBe(1000);
    console.log('delivery proof:', counts);
  }, 60_000);

  it('a job that kills every worker that runs it fails with BrokenWorkerError after 2 runs', async () => {
    await using client = testClient(redis.port);
    const first = worker('deaths');
    const second = worker('deaths');
    await Promise.all([
      stdoutMatching(first, /ready: queue 'deaths'/),
      stdoutMatching(second, /ready: queue 'deaths'/),
    ]);
    await using executor = new BullMQExecutor({
      connection: { host: '127.0.0.1', port: redis.port },
      queue: 'deaths',
    });
    const job = executor.submit(die, redis.port, 'fatal');
    // One worker takes it and dies; the other finds it stalled, runs it again, and dies too.
    await Promise.all([exitOf(first), exitOf(second)]);
    const runs = await client.lrange('runs:fatal', 0, -1);
    expect(new Set(runs)).toEqual(new Set([String(first.pid), String(second.pid)]));
    // A third worker finds it stalled a second time: past maxStalledCount, BullMQ fails it.
    await using _third = await startWorker({
      connection: { host: '127.0.0.1', port: redis.port },
      queue: 'deaths',
      concurrency: 1,
      lockDurationMs: 5000,
      stalledIntervalMs: 500,
    });
    const error = (await job.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(BrokenWorkerError);
    expect(error.message).toBe(
      `Job ${job.id} (die) failed: its worker process died under it 2 times`,
    );
    expect((error.cause as Error).message).toBe('job stalled more than allowable limit');
    expect(await client.llen('runs:fatal')).toBe(2);
  }, 40_000);
});
