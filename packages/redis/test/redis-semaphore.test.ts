import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  CancelledError,
  InvalidStateError,
  TimeoutError,
  createTask,
  sleep,
  timeout,
} from '@corio/core';
import { RedisSemaphore } from '@corio/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from './redis-server.js';

const server = useRedisServer();
let redis: Redis;
let counter = 0;

beforeAll(() => {
  redis = new Redis(server.port, '127.0.0.1');
});
afterAll(async () => {
  await redis.quit();
});

/** A semaphore with a name of its own (tests do not share queues). */
function semaphore(limit: number, extra: { leaseMs?: number; name?: string } = {}) {
  const name = extra.name ?? `test-${String(++counter)}`;
  return new RedisSemaphore({
    connection: `redis://127.0.0.1:${String(server.port)}`,
    name,
    limit,
    leaseMs: extra.leaseMs,
  });
}

/** How many wait in the semaphore's queue in Redis. */
async function queued(name: string): Promise<number> {
  return redis.zcard(`corio:semaphore:{${name}}:queue`);
}

/** How many hold a permit of the semaphore in Redis. */
async function holding(name: string): Promise<number> {
  return redis.zcard(`corio:semaphore:{${name}}:holders`);
}

/** When the first lease of the semaphore runs out, in ms of Redis's clock (-1: none held). */
async function leaseEnd(name: string): Promise<number> {
  const [, score] = await redis.zrange(`corio:semaphore:{${name}}:holders`, 0, 0, 'WITHSCORES');
  return score === undefined ? -1 : Number(score);
}

/** Redis's clock in ms: what the scripts compare leases with. */
async function redisNow(): Promise<number> {
  // ioredis types TIME's reply as numbers; it is two strings.
  const [seconds, micros] = (await redis.time()) as unknown as [string, string];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** Resolves once `n` wait in the queue in Redis (each arrival is a round trip: a short poll). */
async function untilQueued(name: string, n: number): Promise<void> {
  while ((await queued(name)) !== n) await sleep(2);
}

describe('RedisSemaphore', () => {
  it('lets in `limit` holders; the next waits until one releases', async () => {
    await using sem = semaphore(2);
    expect(await sem.acquire()).toBe(true);
    expect(await sem.acquire()).toBe(true);
    expect(await sem.count()).toBe(2);
    let third = false;
    const waiting = sem.acquire().then(() => (third = true));
    await untilQueued(sem.name, 1);
    expect(third).toBe(false);
    sem.release();
    await waiting;
    expect(third).toBe(true);
    expect(sem.held).toBe(2);
    sem.release();
    sem.release();
    await sem.close();
    expect(await holding(sem.name)).toBe(0);
  });

  it('hands permits out in order of arrival across processes (two connections)', async () => {
    const name = `fifo-${String(++counter)}`;
    await using a = semaphore(1, { name });
    await using b = semaphore(1, { name });
    await a.acquire();
    const order: string[] = [];
    const arrive = async (sem: RedisSemaphore, label: string, position: number) => {
      const got = sem.acquire().then(() => {
        order.push(label);
      });
      await untilQueued(name, position);
      return { got }; // (returned as is, an async function would wait for it)
    };
    const b1 = await arrive(b, 'b1', 1);
    const a2 = await arrive(a, 'a2', 2);
    const b3 = await arrive(b, 'b3', 3);
    a.release();
    await b1.got;
    b.release();
    await a2.got;
    a.release();
    await b3.got;
    b.release();
    expect(order).toEqual(['b1', 'a2', 'b3']);
  });

  it('a cancelled waiter leaves the queue; the next one gets the permit', async () => {
    await using holder = semaphore(1);
    await using other = semaphore(1, { name: holder.name });
    await holder.acquire();
    const first = createTask(() => other.acquire());
    await untilQueued(holder.name, 1);
    const second = other.acquire();
    await untilQueued(holder.name, 2);
    first.cancel();
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    await untilQueued(holder.name, 1);
    holder.release();
    expect(await second).toBe(true);
    expect(other.held).toBe(1);
  });

  it('a cancel in the same tick as the grant gives the permit back', async () => {
    await using sem = semaphore(1);
    // The ACQUIRE is on its way and will grant the free permit; the task is cancelled first.
    const task = createTask(() => sem.acquire());
    await Promise.resolve();
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(await sem.acquire()).toBe(true); // the permit came back
    expect(await sem.count()).toBe(1);
    sem.release();
  });

  it('a release and a cancel of the waiter in the same tick lose no permit', async () => {
    await using holder = semaphore(1);
    await using other = semaphore(1, { name: holder.name });
    await holder.acquire();
    const waiter = createTask(() => other.acquire());
    await untilQueued(holder.name, 1);
    holder.release();
    waiter.cancel();
    await expect(waiter).rejects.toBeInstanceOf(CancelledError);
    await other.close();
    await holder.close();
    expect(await queued(holder.name)).toBe(0);
    expect(await holding(holder.name)).toBe(0);
  });

  it('an aborted signal gives up with its reason and leaves the queue', async () => {
    await using sem = semaphore(1);
    await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    await untilQueued(sem.name, 1);
    controller.abort(new Error('enough'));
    await expect(waiting).rejects.toThrow('enough');
    await untilQueued(sem.name, 0);
    sem.release();
  });

  it('a wait begun in a callback of a cancelled task is cancelled and leaves the queue', async () => {
    await using sem = semaphore(1);
    await sem.acquire();
    let outcome: unknown;
    const task = createTask(async () => {
      setTimeout(() => {
        sem.acquire().then(
          () => (outcome = 'acquired'),
          (error: unknown) => (outcome = error),
        );
      }, 0);
      await sleep(60_000);
    });
    await untilQueued(sem.name, 1);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    await untilQueued(sem.name, 0);
    expect(outcome).toBeInstanceOf(CancelledError);
    sem.release();
  });

  it('a wait begun in a server handler of a cancelled task is cancelled and leaves the queue', async () => {
    await using sem = semaphore(1);
    await sem.acquire();
    let outcome: unknown;
    let address: AddressInfo | undefined;
    const task = createTask(async () => {
      // Started inside the task: its handlers run in the task's context.
      const server = createServer((socket) => {
        sem.acquire().then(
          () => (outcome = 'acquired'),
          (error: unknown) => (outcome = error),
        );
        socket.end();
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      address = server.address() as AddressInfo;
      try {
        await sleep(60_000);
      } finally {
        server.close();
      }
    });
    while (address === undefined) await sleep(1);
    const client = connect(address.port, '127.0.0.1');
    await once(client, 'close');
    await untilQueued(sem.name, 1);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    await untilQueued(sem.name, 0);
    expect(outcome).toBeInstanceOf(CancelledError);
    sem.release();
  });

  it('timeout() around acquire() gives up at its deadline', async () => {
    await using sem = semaphore(1);
    await sem.acquire();
    await expect(timeout(20, () => sem.acquire())).rejects.toBeInstanceOf(TimeoutError);
    await untilQueued(sem.name, 0);
    sem.release();
  });

  it('the permit of a holder that stopped renewing comes back after its lease', async () => {
    const name = `lease-${String(++counter)}`;
    const crashed = new Redis(server.port, '127.0.0.1');
    const holder = new RedisSemaphore({ connection: crashed, name, limit: 1, leaseMs: 300 });
    await holder.acquire();
    crashed.disconnect(); // as if the process died: no renewal, no release
    await using next = semaphore(1, { name, leaseMs: 300 });
    expect(await next.acquire()).toBe(true);
    expect(next.held).toBe(1);
    next.release();
    await holder.close();
  });

  it('a live holder keeps its permit past its lease; a waiter gets it only once released', async () => {
    const name = `renewed-${String(++counter)}`;
    await using holder = semaphore(1, { name, leaseMs: 300 });
    await using waiter = semaphore(1, { name, leaseMs: 300 });
    const events: string[] = [];
    await holder.acquire();
    const firstLease = await leaseEnd(name);
    const granted = waiter.acquire().then(() => {
      events.push('granted');
    });
    await untilQueued(name, 1);
    // Hold for three leases by Redis's clock, the one leases are judged by. The waiter tries
    // again each time the first lease is due to run out, so without renewals it would have had
    // the permit by the end of the first.
    while ((await redisNow()) < firstLease + 2 * 300) await sleep(50);
    expect(events).toEqual([]);
    expect(await leaseEnd(name)).toBeGreaterThan(firstLease + 300); // the holder's, renewed
    events.push('released');
    holder.release();
    await granted;
    expect(events).toEqual(['released', 'granted']);
    waiter.release();
  });

  it('use() and guard() give the permit back however the block ends', async () => {
    await using sem = semaphore(1);
    await expect(
      sem.use(() => {
        throw new Error('inside');
      }),
    ).rejects.toThrow('inside');
    expect(sem.held).toBe(0);
    {
      await using _ = await sem.guard();
      expect(sem.held).toBe(1);
    }
    expect(sem.held).toBe(0);
    expect(await sem.use(() => 7)).toBe(7);
  });

  it('prints its state; release() without a permit and acquire() after close() throw', async () => {
    const sem = semaphore(3, { name: 'printed' });
    expect(String(sem)).toBe('<RedisSemaphore printed limit=3 held=0 waiting=0>');
    expect(() => {
      sem.release();
    }).toThrow(InvalidStateError);
    await sem.close();
    expect(String(sem)).toBe('<RedisSemaphore printed closed limit=3 held=0 waiting=0>');
    await expect(sem.acquire()).rejects.toBeInstanceOf(InvalidStateError);
    await sem.close(); // again: harmless
  });

  it('close() rejects the local waiters with InvalidStateError and leaves the queue', async () => {
    const holder = semaphore(1);
    await holder.acquire();
    const sem = semaphore(1, { name: holder.name });
    const waiting = sem.acquire().catch((error: unknown) => error);
    await untilQueued(holder.name, 1);
    await sem.close();
    expect(await waiting).toBeInstanceOf(InvalidStateError);
    expect(await queued(holder.name)).toBe(0);
    await holder.close();
  });

  it('checks its options, naming the bad one', () => {
    const connection = `redis://127.0.0.1:${String(server.port)}`;
    const make = (options: object) => () =>
      new RedisSemaphore(options as ConstructorParameters<typeof RedisSemaphore>[0]);
    expect(make({ connection, name: '', limit: 1 })).toThrow(
      /'name' must be a non-empty string, received ""/,
    );
    expect(make({ connection, name: 'x', limit: 0 })).toThrow(RangeError);
    expect(make({ connection, name: 'x', limit: 1.5 })).toThrow(
      /'limit' must be a positive integer/,
    );
    expect(make({ connection, name: 'x', limit: 1, leaseMs: 5 })).toThrow(/'leaseMs'/);
    expect(make({ connection: 42, name: 'x', limit: 1 })).toThrow(
      /'connection' must be an ioredis client, a redis:\/\/ URL or ioredis options, received number/,
    );
  });

  it('a Redis that cannot be reached is an error that says where, not a hang', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) =>
      closed.close(() => {
        resolve();
      }),
    );
    await using sem = new RedisSemaphore({
      connection: `redis://127.0.0.1:${String(port)}`,
      name: 'nowhere',
      limit: 1,
    });
    await expect(sem.acquire()).rejects.toThrow(`Cannot reach Redis at 127.0.0.1:${String(port)}`);
    expect(sem.waiting).toBe(0);
  });
});
