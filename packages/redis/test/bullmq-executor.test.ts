// BullMQExecutor and startWorker in one process, against a real redis-server. Jobs report to the
// test through Redis lists (pushed by the job, popped by the test): no sleeps, no time bounds.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import {
  CancelledError,
  InvalidStateError,
  TimeoutError,
  createTask,
  isCancelledError,
  now,
  timeout,
  waitFor,
} from '@corio/core';
import { runInExecutor } from '@corio/executor';
import type { BullMQJob } from '@corio/redis';
import { BullMQExecutor, startWorker } from '@corio/redis';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  add,
  cooperative,
  counted,
  echo,
  exitOf,
  fail,
  popWhenPushed,
  spawnTs,
  stderrOf,
  stdoutMatching,
  stubborn,
  testClient,
  whoAmI,
} from './helpers.js';
import { useRedisServer } from './redis-server.js';

const redis = useRedisServer();

/** A port of 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
let queues = 0;
/** A queue of its own for each test: no test sees another's jobs. */
function setup(): { connection: { host: string; port: number }; queue: string } {
  return { connection: { host: '127.0.0.1', port: redis.port }, queue: `q${String(++queues)}` };
}

describe('BullMQExecutor', () => {
  it('submit() runs a workerFunction in a worker and resolves with its value', async () => {
    const options = setup();
    await using worker = await startWorker({ ...options, concurrency: 2 });
    await using executor = new BullMQExecutor(options);
    expect(await executor.submit(add, 2, 3)).toBe(5);
    const sums = await Promise.all([1, 2, 3].map((n) => executor.submit(add, n, 10)));
    expect(sums).toEqual([11, 12, 13]);
    await worker.close();
    expect(String(worker)).toMatch(/^<QueueWorker queue='q\d+' closed running=0 completed=4>$/);
  });

  it('takes a redis:// URL as its connection, as RedisSemaphore does', async () => {
    const { queue } = setup();
    const connection = `redis://127.0.0.1:${String(redis.port)}`;
    await using _worker = await startWorker({ connection, queue, concurrency: 1 });
    await using executor = new BullMQExecutor({ connection, queue });
    expect(await executor.submit(add, 20, 22)).toBe(42);
  });

  it('arguments and results travel by structured clone', async () => {
    const options = setup();
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    const value = new Map([['when', new Date(0)]]);
    expect(await executor.submit(echo, value)).toEqual(value);
    expect(await executor.submit(echo, 10n)).toBe(10n);
  });

  it("a job's error comes back with its name, message, stack and cause chain", async () => {
    const options = setup();
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    const error = (await executor.submit(fail, 'too big').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('too big');
    expect(error.stack).toMatch(/at fail \(.*fixtures\/jobs\.js/);
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toBe('inner');
    expect((error.cause as Error).cause).toBe('root');
  });

  it('map() yields the results in input order', async () => {
    const options = setup();
    await using _worker = await startWorker({ ...options, concurrency: 3 });
    await using executor = new BullMQExecutor(options);
    const results: number[] = [];
    for await (const sum of executor.map(echo, [5, 4, 3, 2, 1, 0], { bufferSize: 3 })) {
      results.push(sum as number);
    }
    expect(results).toEqual([5, 4, 3, 2, 1, 0]);
  });

  it('map() stops at a failed item and cancels the jobs still outstanding', async () => {
    const options = setup();
    await using executor = new BullMQExecutor(options);
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    const seen: string[] = [];
    const iterate = async (): Promise<void> => {
      for await (const value of executor.map(fail, ['first', 'second'], { bufferSize: 2 })) {
        seen.push(value);
      }
    };
    await expect(iterate()).rejects.toThrow('first');
    expect(seen).toEqual([]);
  });

  it("map() with an aborted signal rejects with the signal's reason and stops reading", async () => {
    const options = setup();
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    let read = 0;
    function* naturals(): Generator<number> {
      for (let n = 0; ; n++, read++) yield n;
    }
    const controller = new AbortController();
    const results = executor.map(echo, naturals(), { bufferSize: 2, signal: controller.signal });
    expect(await results.next()).toEqual({ done: false, value: 0 });
    const reason = new Error('enough');
    controller.abort(reason);
    await expect(results.next()).rejects.toBe(reason);
    expect(read).toBeLessThanOrEqual(3);
    expect(String(executor)).toMatch(/ jobs=0>$/); // the outstanding ones were cancelled
  });

  it('runInExecutor() takes it as an Executor', async () => {
    const options = setup();
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    expect(await runInExecutor(executor, add, 20, 22)).toBe(42);
  });

  it("a submitter that dies leaves its job running; the job's result is kept in Redis", async () => {
    const options = setup();
    await using client = testClient(redis.port);
    const submitter = spawnTs('packages/redis/test/fixtures/submit-and-die.ts', [
      String(redis.port),
      options.queue,
    ]);
    // It submits one job and kills itself (SIGKILL) once the job is in the queue.
    expect(await exitOf(submitter)).toEqual({ code: null, signal: 'SIGKILL' });
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    expect(await popWhenPushed(client, 'runs:orphan')).toMatch(/^\d+$/);
    const queue = new Queue(options.queue, { connection: options.connection });
    try {
      const [job] = await queue.getJobs(['waiting', 'active', 'completed']);
      expect(job?.name).toBe('counted');
      await expect
        .poll(async () => queue.getJobState(job?.id ?? ''), { interval: 20 })
        .toBe('completed');
      expect(await client.llen('runs:orphan')).toBe(0); // popped above: it ran once
      expect(await client.lrange('ends:orphan', 0, -1)).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });
});

describe('BullMQExecutor cancellation', () => {
  it('cancelling a waiting job removes it from the queue: it never starts', async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using executor = new BullMQExecutor(options);
    // No worker yet: the job waits in the queue. Its add must have reached Redis first.
    const sent = executor.submit(add, 1, 1);
    const before = executor.submit(counted, redis.port, 'never', 0);
    await Promise.resolve(); // both leave in one batch
    const queue = new Queue(options.queue, { connection: options.connection });
    try {
      await expect.poll(async () => queue.getWaitingCount(), { interval: 20 }).toBe(2);
      expect(before.cancel()).toBe(true);
      expect(await before.cancelAcknowledged()).toBe('not-started');
      expect(await queue.getJob(before.id)).toBeUndefined();
      await using _worker = await startWorker({ ...options, concurrency: 1 });
      expect(await sent).toBe(2);
      expect(await client.exists('runs:never')).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('a job cancelled in the turn it was submitted is never sent', async () => {
    const options = setup();
    await using executor = new BullMQExecutor(options);
    const job = executor.submit(add, 1, 2);
    job.cancel();
    expect(await job.cancelAcknowledged()).toBe('not-started');
    expect(job.cancelled()).toBe(true);
  });

  it("cancelling a running job aborts its signal in the worker; the job's cleanup runs", async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    const job = executor.submit(cooperative, redis.port, 'coop');
    const thread = await popWhenPushed(client, 'started:coop');
    expect(job.cancel()).toBe(true);
    expect(await job.cancelAcknowledged()).toBe('started');
    expect(await popWhenPushed(client, 'cleaned:coop')).toBe('CancelledError');
    // It ended within the grace: the same thread runs the next job.
    expect(String(await executor.submit(whoAmI))).toBe(thread);
  });

  it('a cancel whose message never reaches the worker still stops the job, through its flag', async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    const job = executor.submit(cooperative, redis.port, 'unheard');
    await popWhenPushed(client, 'started:unheard');
    // The cancel recorded in Redis, as the submitter's script does, but not published: as when
    // the worker's subscriber had lost its subscription (ioredis#2037) or was reconnecting.
    await client.set(`bull:${options.queue}:corio:cancel:${job.id}`, '1');
    expect(await popWhenPushed(client, 'cleaned:unheard')).toBe('CancelledError');
    job.cancel();
  });

  it('a job that ignores its signal has its thread terminated after the grace', async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using _worker = await startWorker({ ...options, concurrency: 1, cancelGraceMs: 0 });
    await using executor = new BullMQExecutor(options);
    const job = executor.submit(stubborn, redis.port, 'stuck');
    const thread = await popWhenPushed(client, 'started:stuck');
    job.cancel();
    expect(await job.cancelAcknowledged()).toBe('started');
    const next = await executor.submit(whoAmI);
    expect(String(next)).not.toBe(thread);
  });

  it("waitFor()'s deadline cancels the job where it runs", async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    const job = executor.submit(cooperative, redis.port, 'deadline');
    await popWhenPushed(client, 'started:deadline'); // running: it never ends by itself
    const error = await waitFor(job, 50).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await job.cancelAcknowledged()).toBe('started');
    expect(isCancelledError((error as Error).cause)).toBe(true);
    expect(await popWhenPushed(client, 'cleaned:deadline')).toBe('CancelledError');
  });

  it("timeout()'s deadline around submit() cancels the job where it runs", async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    let job: BullMQJob<void> | undefined;
    const error = await timeout(null, async (scope) => {
      job = executor.submit(cooperative, redis.port, 'timeout');
      await popWhenPushed(client, 'started:timeout'); // running: it never ends by itself
      // The deadline is set once the job runs, so that it is the running job it cancels.
      scope.reschedule(now() + 50);
      await job;
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isCancelledError((error as Error).cause)).toBe(true);
    expect(job?.cancelled()).toBe(true);
    expect(await job?.cancelAcknowledged()).toBe('started');
    expect(await popWhenPushed(client, 'cleaned:timeout')).toBe('CancelledError');
  });

  it('cancelling the task that awaits it cancels the job where it runs', async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    await using executor = new BullMQExecutor(options);
    const job = executor.submit(cooperative, redis.port, 'task');
    const task = createTask(async () => {
      await job;
    });
    await popWhenPushed(client, 'started:task');
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(job.cancelled()).toBe(true);
    expect(await popWhenPushed(client, 'cleaned:task')).toBe('CancelledError');
  });

  it('shutdown({ cancelFutures: true }) cancels the outstanding jobs and closes', async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using _worker = await startWorker({ ...options, concurrency: 1 });
    const executor = new BullMQExecutor(options);
    const running = executor.submit(cooperative, redis.port, 'shut');
    const waiting = executor.submit(add, 1, 2);
    await popWhenPushed(client, 'started:shut');
    await executor.shutdown({ cancelFutures: true });
    expect([running.cancelled(), waiting.cancelled()]).toEqual([true, true]);
    expect(await popWhenPushed(client, 'cleaned:shut')).toBe('CancelledError');
  });
});

describe('BullMQExecutor misuse and failures', () => {
  it('refuses a plain function with a TypeError naming it', async () => {
    await using executor = new BullMQExecutor(setup());
    function double(n: number): number {
      return 2 * n;
    }
    const submit = executor.submit.bind(executor) as (fn: unknown, ...args: unknown[]) => unknown;
    const map = executor.map.bind(executor) as (fn: unknown, items: unknown[]) => unknown;
    expect(() => submit(double, 1)).toThrow(
      new TypeError(
        "BullMQExecutor.submit: 'fn' must be a workerFunction(moduleUrl, exportName), as no closure can travel to another process; received the function double",
      ),
    );
    expect(() => map(() => 1, [1])).toThrow(/received the function \(anon/);
  });

  it('refuses bad options, naming the value', () => {
    expect(() => new BullMQExecutor({ connection: {}, queue: '' })).toThrow(
      `Cannot create BullMQExecutor: 'queue' must be a non-empty string without ':', received ""`,
    );
    expect(() => new BullMQExecutor({ connection: null as never, queue: 'q' })).toThrow(
      /'connection' must be a redis:\/\/ URL, ioredis options or a client, received null/,
    );
  });

  it('submit() after shutdown() throws InvalidStateError', async () => {
    const executor = new BullMQExecutor(setup());
    await executor.shutdown();
    expect(() => executor.submit(add, 1, 2)).toThrow(InvalidStateError);
  });

  it('fails with a clear error, not a hang, when Redis is unreachable', async () => {
    const port = await closedPort();
    const executor = new BullMQExecutor({ connection: { host: '127.0.0.1', port }, queue: 'q' });
    const error = (await executor.submit(add, 1, 2).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `BullMQExecutor(queue 'q'): cannot reach Redis at 127.0.0.1:${String(port)}`,
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await executor.shutdown();
    await expect(
      startWorker({ connection: { host: '127.0.0.1', port }, queue: 'q' }),
    ).rejects.toThrow(`startWorker(queue 'q'): cannot reach Redis at 127.0.0.1:${String(port)}`);
  });
});

describe('BullMQExecutor clean exits', () => {
  it('a program whose Redis is unreachable gets the error, shuts down and exits by itself', async () => {
    const port = await closedPort();
    const child = spawnTs('packages/redis/test/fixtures/unreachable.ts', [String(port)]);
    const out = stdoutMatching(child, /\n$/);
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(await out).toBe(
      `BullMQExecutor(queue 'q'): cannot reach Redis at 127.0.0.1:${String(port)}\n`,
    );
  });

  it('corio-worker exits with its usage without --queue, and with the address when Redis is down', async () => {
    const port = await closedPort();
    const usage = spawnTs('packages/redis/src/corio-worker.ts', []);
    const usageErr = stderrOf(usage);
    expect(await exitOf(usage)).toEqual({ code: 2, signal: null });
    expect(await usageErr).toMatch(/^corio-worker: --queue is required\nusage: corio-worker/);
    const down = spawnTs('packages/redis/src/corio-worker.ts', [
      '--redis',
      `redis://127.0.0.1:${String(port)}`,
      '--queue',
      'q',
    ]);
    const downErr = stderrOf(down);
    expect(await exitOf(down)).toEqual({ code: 1, signal: null });
    expect(await downErr).toBe(
      `corio-worker: startWorker(queue 'q'): cannot reach Redis at 127.0.0.1:${String(port)}\n`,
    );
  });

  it('takes an ioredis client as its connection, copies it, and leaves it open', async () => {
    const options = setup();
    await using client = testClient(redis.port);
    await using _worker = await startWorker({ connection: client, queue: options.queue });
    const executor = new BullMQExecutor({ connection: client, queue: options.queue });
    expect(await executor.submit(add, 4, 5)).toBe(9);
    await executor.shutdown();
    expect(await client.ping()).toBe('PONG');
  });
});

describe('BullMQExecutor repr', () => {
  it('toString() shows the queue, the state and the jobs outstanding', async () => {
    const options = setup();
    const executor = new BullMQExecutor(options);
    const job = executor.submit(add, 1, 2);
    expect(String(executor)).toBe(`<BullMQExecutor queue='${options.queue}' running jobs=1>`);
    expect(String(job)).toBe(`<BullMQJob id=${job.id} pending>`);
    job.cancel();
    expect(String(job)).toBe(`<BullMQJob id=${job.id} cancelled>`);
    await executor.shutdown();
    expect(String(executor)).toBe(`<BullMQExecutor queue='${options.queue}' shut down jobs=0>`);
  });
});
