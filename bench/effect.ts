// Effect (the `effect` package, v3) as a peer of corio on the same workloads. Each sample does the
// work its corio row does and checks the same result; what differs is said beside each one. All
// run from the top level through Effect.runPromise, which is how a program enters Effect (as
// run() is how it enters corio).

import { Effect, Queue } from 'effect';
import { timed } from './harness.js';
import { check, sumOf } from './suite.js';

/**
 * spawn + join: one fiber per async function (`Effect.promise(fn)`, the same 100k functions that
 * corio's tasks run), joined by `Effect.forEach` with unbounded concurrency, which collects the
 * results in order as gather() does. A zero-argument function gets no AbortSignal from
 * Effect.promise, so no AbortController is made per fiber.
 */
export function effectSpawn(
  fns: readonly (() => Promise<number>)[],
  expected: number,
): () => Promise<number> {
  const program = Effect.forEach(fns, (fn) => Effect.promise(fn), { concurrency: 'unbounded' });
  return () =>
    timed(async () => {
      check(sumOf(await Effect.runPromise(program)), expected, 'Effect.forEach');
    });
}

/**
 * spawn + join without promises: each fiber yields once to Effect's own scheduler
 * (`Effect.yieldNow()`, its counterpart of `await null`) and returns its index.
 */
export function effectSpawnYield(n: number, expected: number): () => Promise<number> {
  const indices = Array.from({ length: n }, (_, i) => i);
  const program = Effect.forEach(indices, (i) => Effect.as(Effect.yieldNow(), i), {
    concurrency: 'unbounded',
  });
  return () =>
    timed(async () => {
      check(sumOf(await Effect.runPromise(program)), expected, 'Effect.forEach yieldNow');
    });
}

/**
 * The limiter: `Effect.forEach` over the jobs with `{ concurrency }`. It differs in shape from
 * p-limit and corio's limiter, which are handed all the calls at once and return a promise for
 * each (100k pending promises, joined by Promise.all): forEach starts a job only when a slot is
 * free, so at most `concurrency` fibers exist at a time and nothing waits in a queue.
 */
export function effectLimit(
  jobs: number,
  concurrency: number,
  job: () => Promise<number>,
): () => Promise<number> {
  const items = Array.from({ length: jobs }, () => job);
  const program = Effect.forEach(items, (fn) => Effect.promise(fn), { concurrency });
  return () =>
    timed(async () => {
      check(sumOf(await Effect.runPromise(program)), jobs, 'Effect.forEach concurrency');
    });
}

/**
 * The queue: a producer fiber offers `items` numbers to `Queue.bounded(maxsize)`, a consumer fiber
 * takes them all; both run concurrently under Effect.all, as corio's two tasks under gather().
 */
export function effectQueue(items: number, maxsize: number): () => Promise<number> {
  const program = Effect.gen(function* () {
    const queue = yield* Queue.bounded<number>(maxsize);
    const producer = Effect.gen(function* () {
      for (let i = 0; i < items; i++) yield* Queue.offer(queue, i);
      return 0;
    });
    const consumer = Effect.gen(function* () {
      let sum = 0;
      for (let i = 0; i < items; i++) sum += yield* Queue.take(queue);
      return sum;
    });
    const [, sum] = yield* Effect.all([producer, consumer], { concurrency: 2 });
    return sum;
  });
  return () =>
    timed(async () => {
      check(await Effect.runPromise(program), (items * (items - 1)) / 2, 'Effect Queue');
    });
}

/**
 * The timeout: `n` sequential `Effect.timeout(Effect.promise(fn), ms)` in one Effect program, the
 * counterpart of a loop of `timeout(ms, fn)` inside run(). Effect.timeout races the effect with a
 * sleep on the fiber's clock; corio's timeout() runs `fn` as a task under a cancel scope.
 */
export function effectTimeoutLoop(
  quick: () => Promise<number>,
  ms: number,
): (n: number) => Promise<number> {
  const once = Effect.timeout(Effect.promise(quick), ms);
  return (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        let sum = 0;
        const start = performance.now();
        for (let i = 0; i < n; i++) sum += yield* once;
        const elapsed = performance.now() - start;
        check(sum, n, 'Effect.timeout');
        return elapsed;
      }),
    );
}
