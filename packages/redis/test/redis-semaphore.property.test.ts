// Property test of RedisSemaphore: random sequences of acquires, cancels (task or signal) and
// releases by actors with a connection each (as separate processes would have), checked after
// every step against a model of a FIFO semaphore: who holds, who waits, in which order, and that
// Redis agrees (no permit lost or leaked, no waiter left behind while a permit is free).
import { createTask, isCancelledError, sleep } from '@corio/core';
import type { Task } from '@corio/core';
import { RedisSemaphore } from '@corio/redis';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from './redis-server.js';

const server = useRedisServer();
let redis: Redis;
beforeAll(() => {
  redis = new Redis(server.port, '127.0.0.1');
});
afterAll(async () => {
  await redis.quit();
});

const ACTORS = 4;
const LIMIT = 2;

interface Op {
  kind: 'acquire' | 'cancel' | 'release';
  actor: number;
}
const op = fc.record({
  kind: fc.constantFrom('acquire' as const, 'cancel' as const, 'release' as const),
  actor: fc.nat({ max: ACTORS - 1 }),
});

interface Actor {
  readonly sem: RedisSemaphore;
  /** Its acquire in flight: a task (cancelled with cancel()) or a call with a signal. */
  wait: { task: Task<true> } | { promise: Promise<true>; controller: AbortController } | undefined;
  got: boolean;
}

let run = 0;

/** Waits (a short poll of Redis) until `ready()` holds, for at most 5 s: liveness. */
async function until(ready: () => Promise<boolean>, what: () => string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`never settled: ${what()}`);
    await sleep(2);
  }
}

describe('RedisSemaphore against a FIFO model', () => {
  it('random acquires, cancels and releases across connections', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 16 }), async (ops: Op[]) => {
        const name = `property-${String(++run)}`;
        const keys = {
          holders: `corio:semaphore:{${name}}:holders`,
          queue: `corio:semaphore:{${name}}:queue`,
        };
        const actors: Actor[] = Array.from({ length: ACTORS }, () => ({
          sem: new RedisSemaphore({
            connection: `redis://127.0.0.1:${String(server.port)}`,
            name,
            limit: LIMIT,
          }),
          wait: undefined,
          got: false,
        }));
        // The model: who holds, and who waits in order of arrival.
        const holding = new Set<number>();
        const queue: number[] = [];
        try {
          for (const [step, { kind, actor: i }] of ops.entries()) {
            const actor = actors[i] as Actor;
            if (kind === 'acquire' && !holding.has(i) && !queue.includes(i)) {
              actor.got = false;
              if (step % 2 === 0) {
                const task = createTask(() => actor.sem.acquire());
                actor.wait = { task };
                void task.then(
                  () => (actor.got = true),
                  () => undefined,
                );
              } else {
                const controller = new AbortController();
                const promise = actor.sem.acquire({ signal: controller.signal });
                actor.wait = { promise, controller };
                void promise.then(
                  () => (actor.got = true),
                  () => undefined,
                );
              }
              if (holding.size < LIMIT && queue.length === 0) holding.add(i);
              else queue.push(i);
            } else if (kind === 'cancel' && queue.includes(i) && actor.wait !== undefined) {
              const wait = actor.wait;
              if ('task' in wait) wait.task.cancel();
              else wait.controller.abort(new Error('aborted'));
              const outcome = await ('task' in wait ? wait.task : wait.promise).then(
                () => 'granted',
                (error: unknown) => error,
              );
              actor.wait = undefined;
              if (outcome === 'granted') {
                // Granted before the cancel arrived: the model must have expected that.
                throw new Error(`actor ${String(i)} was granted while the model had it waiting`);
              }
              expect(isCancelledError(outcome) || (outcome as Error).message === 'aborted').toBe(
                true,
              );
              queue.splice(queue.indexOf(i), 1);
            } else if (kind === 'release' && holding.has(i)) {
              actor.sem.release();
              actor.wait = undefined;
              holding.delete(i);
              const next = queue.shift();
              if (next !== undefined) holding.add(next);
            } else {
              continue;
            }
            // Settle: every holder the model names has its permit, and Redis agrees.
            const describe = () =>
              `step ${String(step)} ${kind} ${String(i)}: model holds [${[...holding].join()}] waits [${queue.join()}]`;
            await until(async () => {
              for (const h of holding) if (!(actors[h] as Actor).got) return false;
              const [held, waiting] = await Promise.all([
                redis.zcard(keys.holders),
                redis.zcard(keys.queue),
              ]);
              return held === holding.size && waiting === queue.length;
            }, describe);
            for (const [index, a] of actors.entries()) {
              expect(a.sem.held, describe()).toBe(holding.has(index) ? 1 : 0);
              if (queue.includes(index)) expect(a.got, describe()).toBe(false);
            }
          }
        } finally {
          for (const actor of actors) {
            while (actor.sem.held > 0) actor.sem.release();
            await actor.sem.close();
          }
        }
        expect(await redis.zcard(keys.holders)).toBe(0);
        expect(await redis.zcard(keys.queue)).toBe(0);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
