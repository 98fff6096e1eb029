import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { CancelledError, sleep } from '@corio/core';
import { RedisSemaphore, redisLimiter } from '@corio/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from './redis-server.js';

const server = useRedisServer();
let redis: Redis;
let counter = 0;
const url = (): string => `redis://127.0.0.1:${String(server.port)}`;

beforeAll(() => {
  redis = new Redis(server.port, '127.0.0.1');
});
afterAll(async () => {
  await redis.quit();
});

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** Starts `node --import tsx fixtures/<file> ...args`; resolves its stdout once it exits 0. */
function runFixture(file: string, args: string[]): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(file, FIXTURES).pathname, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${file} ended with ${String(code ?? signal)}:\n${stderr}`));
    });
  });
  return { child, done };
}

/** Resolves once the child has printed `line`. */
function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes(line)) resolve();
    });
  });
}

describe('redisLimiter', () => {
  it("runs p-limit's calls within the shared concurrency, and counts this process's", async () => {
    await using limit = redisLimiter(2, { connection: url(), name: `calls-${String(++counter)}` });
    let running = 0;
    let most = 0;
    const work = async (n: number) => {
      most = Math.max(most, ++running);
      await sleep(5);
      running--;
      return n * 10;
    };
    const calls = [1, 2, 3, 4, 5].map((n) => limit(work, n));
    await sleep(0);
    expect(limit.pendingCount + limit.activeCount).toBe(5);
    expect(await Promise.all(calls)).toEqual([10, 20, 30, 40, 50]);
    expect(most).toBe(2);
    expect([limit.activeCount, limit.pendingCount, limit.concurrency]).toEqual([0, 0, 2]);
    expect(await limit.map([6, 7], work)).toEqual([60, 70]);
  });

  it('a cancelled queued call never runs and leaves the queue; clearQueue() cancels the rest', async () => {
    const name = `cancel-${String(++counter)}`;
    await using limit = redisLimiter(1, { connection: url(), name });
    const ran: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = limit(async () => {
      ran.push(1);
      await gate;
    });
    const second = limit(() => ran.push(2));
    const third = limit(() => ran.push(3));
    const fourth = limit(() => ran.push(4));
    // The first call runs (its grant has arrived: until then clearQueue() would cancel it too)
    // and the other three wait in Redis's queue.
    while (ran.length === 0 || (await redis.zcard(`corio:semaphore:{${name}}:queue`)) !== 3) {
      await sleep(2);
    }
    second.cancel();
    limit.clearQueue();
    release();
    await first;
    await expect(second).rejects.toBeInstanceOf(CancelledError);
    await expect(third).rejects.toBeInstanceOf(CancelledError);
    await expect(fourth).rejects.toBeInstanceOf(CancelledError);
    expect(ran).toEqual([1]);
    expect(limit.pendingCount).toBe(0);
    expect(await limit(() => 'after')).toBe('after');
  });

  it('checks concurrency as p-limit does and prints its state', async () => {
    expect(() => redisLimiter('3' as unknown as number, { connection: url(), name: 'x' })).toThrow(
      TypeError,
    );
    expect(() => redisLimiter(0, { connection: url(), name: 'x' })).toThrow(
      /'concurrency' must be a positive integer, received 0/,
    );
    await using limit = redisLimiter(3, { connection: url(), name: 'printed' });
    expect(String(limit)).toBe('<redisLimiter printed concurrency=3 active=0 pending=0>');
  });
});

describe('a limit shared by processes', () => {
  it('4 processes x 200 calls through redisLimiter(3): never more than 3 at once; random cancels lose no permit', async () => {
    const name = `shared-${String(++counter)}`;
    const runs = [1, 2, 3, 4].map((seed) =>
      runFixture('limited-calls.ts', [String(server.port), name, '200', String(seed)]),
    );
    const outcomes = (await Promise.all(runs.map((r) => r.done))).map(
      (out) => JSON.parse(out) as { completed: number; cancelled: number },
    );
    const completed = outcomes.reduce((sum, o) => sum + o.completed, 0);
    const cancelled = outcomes.reduce((sum, o) => sum + o.cancelled, 0);
    expect(completed + cancelled).toBe(800);
    expect(cancelled).toBeGreaterThan(0);
    expect(Number(await redis.get(`${name}:highest`))).toBe(3);
    expect(Number(await redis.get(`${name}:inflight`))).toBe(0);
    // Nothing held, nobody queued: every permit came back.
    expect(await redis.zcard(`corio:semaphore:{${name}}:holders`)).toBe(0);
    expect(await redis.zcard(`corio:semaphore:{${name}}:queue`)).toBe(0);
    await using check = new RedisSemaphore({ connection: url(), name, limit: 3 });
    for (let i = 0; i < 3; i++) await check.acquire();
    expect(await check.count()).toBe(3);
  }, 60_000);

  it('a process killed while holding a permit: it comes back after the lease', async () => {
    const name = `killed-${String(++counter)}`;
    const holder = runFixture('hold-forever.ts', [String(server.port), name]);
    await printed(holder.child, 'holding');
    await using sem = new RedisSemaphore({ connection: url(), name, limit: 3, leaseMs: 500 });
    await sem.acquire();
    await sem.acquire();
    expect(await sem.count()).toBe(3);
    let third = false;
    const waiting = sem.acquire().then(() => (third = true));
    while ((await redis.zcard(`corio:semaphore:{${name}}:queue`)) !== 1) await sleep(2);
    expect(third).toBe(false);
    holder.child.kill('SIGKILL');
    await expect(holder.done).rejects.toThrow(/SIGKILL/);
    await waiting; // after the killed holder's lease ran out
    expect(sem.held).toBe(3);
  }, 30_000);
});
