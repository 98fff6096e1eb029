// The proof of the delivery semantics, with real processes: 2 corio-worker processes, 1,000 jobs
// from 2 submitting processes, random cancels, and one worker killed (SIGKILL) while it is surely
// mid-job. Every job not cancelled completes, at most twice run (BullMQ's stalled-job recovery
// with maxStalledCount 1), a second run only after the killed worker's; no job begins after its
// cancel was acknowledged. Runs and ends are counted by the jobs in Redis; the order of claims,
// cancels and runs is Redis's own, heard through its keyspace notifications.
import { BrokenWorkerError } from '@corio/executor';
import { BullMQExecutor, startWorker } from '@corio/redis';
import type { Redis } from 'ioredis';
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

/** Where each of the proof's events falls in Redis's order of execution (0, 1, 2, ...). */
interface EventOrder {
  /** By job id: each claim of the job by a worker (CLAIM_SCRIPT setting its started flag). */
  readonly claims: Map<string, number[]>;
  /**
   * By job id: its cancel (CANCEL_SCRIPT setting its cancel flag, in the step in which it also
   * reads the started flag, and so decides the acknowledgement).
   */
  readonly cancels: Map<string, number>;
  /** By the job's key: each time its function reached its first line (its push to runs:<key>). */
  readonly runs: Map<string, number[]>;
}

const LOG_END = 'event-order-end';

/**
 * Records the order of the proof's events from Redis's keyspace notifications of SET and RPUSH.
 * Redis publishes them as each command runs, inside scripts too, and one subscriber hears them in
 * that order: the order the two scripts took effect in, not the order their callers heard of it.
 * `complete()` resolves once every event up to its call has been heard.
 */
async function recordEventOrder(
  client: Redis,
  port: number,
): Promise<EventOrder & AsyncDisposable & { complete(): Promise<void> }> {
  await client.config('SET', 'notify-keyspace-events', 'E$l'); // key events of strings and lists
  const subscriber = testClient(port);
  const order: EventOrder = { claims: new Map(), cancels: new Map(), runs: new Map() };
  const push = (map: Map<string, number[]>, id: string, at: number): void => {
    map.set(id, [...(map.get(id) ?? []), at]);
  };
  let at = 0;
  let heardEnd = (): void => undefined;
  subscriber.on('message', (_channel: string, key: string) => {
    at++;
    const [, kind, id = ''] = /^bull:proof:corio:(started|cancel):(.+)$/.exec(key) ?? [];
    if (kind === 'started') push(order.claims, id, at);
    else if (kind === 'cancel') order.cancels.set(id, at);
    else if (key.startsWith('runs:')) push(order.runs, key.slice('runs:'.length), at);
    else if (key === LOG_END) heardEnd();
  });
  await subscriber.subscribe('__keyevent@0__:set', '__keyevent@0__:rpush');
  return {
    ...order,
    async complete() {
      const heard = new Promise<void>((resolve) => (heardEnd = resolve));
      await client.set(LOG_END, '1'); // its notification comes after every earlier one
      await heard;
    },
    async [Symbol.asyncDispose]() {
      await subscriber.quit();
      await client.config('SET', 'notify-keyspace-events', '');
    },
  };
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
    await using order = await recordEventOrder(client, redis.port);
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
    await order.complete(); // every claim there will ever be, and every cancel, is in the order

    expect(records).toHaveLength(1000);
    const dead = String(doomed.pid);
    const live = String(survivor.pid);
    const counts = {
      ok: 0,
      rerun: 0,
      cancelledBeforeStart: 0,
      cancelledRunning: 0,
      // Of those 'started': runs whose function reached its first line after the cancel.
      firstLineAfterCancel: 0,
    };
    for (const record of records) {
      const runs = await client.lrange(`runs:${record.key}`, 0, -1);
      const ends = await client.lrange(`ends:${record.key}`, 0, -1);
      const claims = order.claims.get(record.id) ?? [];
      const cancel = order.cancels.get(record.id);
      const firstLines = order.runs.get(record.key) ?? [];
      const where = `${record.key}: ${JSON.stringify({ record, runs, ends, claims, cancel, firstLines })}`;
      // Nothing failed: one dead worker is within maxStalledCount.
      expect(record.state, where).not.toBe('failed');
      // A run begins with a claim (the worker's CLAIM_SCRIPT); at most two, one per worker.
      expect(claims.length, where).toBeLessThanOrEqual(2);
      expect(runs.length, where).toBeLessThanOrEqual(claims.length);
      if (record.state === 'cancelled') {
        // Acknowledged means the submitter's CANCEL_SCRIPT ran: in one atomic step it set the
        // cancel flag and read whether a claim had set the started flag ('started') or not
        // ('not-started'); the claim, atomic too, fails once the flag is set. (A job cancelled
        // before its batch was sent is 'not-started' without a script: it never reached Redis.)
        expect(record.ack, where).toMatch(/^(not-started|started)$/);
        if (record.ack === 'not-started') {
          // No claim before the cancel, none after it: it never began, anywhere.
          expect(claims, where).toEqual([]);
          expect(runs, where).toEqual([]);
          counts.cancelledBeforeStart++;
        } else {
          // Claimed before the cancel, and never after it. The function of a claim made before
          // may still reach its first line after it (its thread was on its way), then is stopped.
          expect(cancel, where).toBeDefined();
          const cancelledAt = cancel ?? 0;
          expect(claims.length, where).toBeGreaterThanOrEqual(1);
          expect(
            claims.filter((at) => at > cancelledAt),
            where,
          ).toEqual([]);
          counts.firstLineAfterCancel += firstLines.filter((at) => at > cancelledAt).length;
          counts.cancelledRunning++;
        }
        continue;
      }
      expect(cancel, where).toBeUndefined(); // a cancel that came too late is no cancel
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
