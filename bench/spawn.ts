// Cases 1-3 of the core suite: a task around one call, spawn + join 100k tasks, and a time limit
// that never fires. Each implementation is a sample for bench/rounds.ts.

import { AsyncLocalStorage } from 'node:async_hooks';
import { createTask, gather, run, timeout, waitFor } from '@corio/core';
import pTimeout from 'p-timeout';
import { effectSpawn, effectSpawnYield, effectTimeoutLoop } from './effect.js';
import { formatNumber, timed } from './harness.js';
import type { Loop } from './harness.js';
import { opsSample } from './rounds.js';
import { atMost, check, sumOf } from './suite.js';
import type { Case } from './suite.js';

/** Tasks per spawn+join sample (and in the CPython reference). */
export const SPAWN_TASKS = 100_000;
const LIMIT_MS = 10_000;

/** The unit of work of case 1: yields once, returns 1. */
async function work(): Promise<number> {
  // A bare `await null` is the point: one microtask yield, as in the issue.
  // eslint-disable-next-line @typescript-eslint/await-thenable
  await null;
  return 1;
}

/** Case 3's body: an async function that resolves at once. */
// eslint-disable-next-line @typescript-eslint/require-await
async function quick(): Promise<number> {
  return 1;
}

/** A loop of `n` sequential awaits of `op`, timed; checks every result arrived. */
function loopOf(where: string, op: () => PromiseLike<number>): Loop {
  return async (n) => {
    let sum = 0;
    const start = performance.now();
    for (let i = 0; i < n; i++) sum += await op();
    const ms = performance.now() - start;
    check(sum, n, where);
    return ms;
  };
}

/** The same loop, run as the main task of `run()` and timed inside it. */
function inRun(loop: Loop): Loop {
  return (n) => run(() => loop(n));
}

/** `AbortSignal.timeout` raced against the work, with the abort listener removed afterwards. */
async function withAbortSignalTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      const reason: unknown = signal.reason;
      reject(reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

// 100k distinct async functions, built once: every implementation calls the same ones.
export const spawnFns = Array.from({ length: SPAWN_TASKS }, (_, i) => async (): Promise<number> => {
  // eslint-disable-next-line @typescript-eslint/await-thenable
  await null;
  return i;
});
const SPAWN_SUM = (SPAWN_TASKS * (SPAWN_TASKS - 1)) / 2;

// The floor of any task library that finds its current task through AsyncLocalStorage, as corio
// does: the same calls, each entered with a store of its own (one context frame per call, made
// with enterWith, as corio's task start makes it), and nothing else.
const frames = new AsyncLocalStorage<number>();

/** Calls every spawn function in a context frame of its own; the caller's frame is kept. */
function callInFrames(): Promise<number>[] {
  return frames.run(-1, () => {
    const calls = new Array<Promise<number>>(SPAWN_TASKS);
    for (let i = 0; i < SPAWN_TASKS; i++) {
      frames.enterWith(i);
      calls[i] = (spawnFns[i] as () => Promise<number>)();
    }
    return calls;
  });
}

const spawnSample = {
  promiseAll: () =>
    timed(async () => {
      check(sumOf(await Promise.all(spawnFns.map((fn) => fn()))), SPAWN_SUM, 'Promise.all');
    }),
  promiseAllFrames: () =>
    timed(async () => {
      check(sumOf(await Promise.all(callInFrames())), SPAWN_SUM, 'Promise.all in frames');
    }),
  gather: () =>
    timed(async () => {
      const tasks = spawnFns.map((fn) => createTask(fn));
      check(sumOf(await gather(tasks)), SPAWN_SUM, 'gather');
    }),
  gatherFns: () =>
    timed(async () => {
      check(sumOf(await gather(spawnFns)), SPAWN_SUM, 'gather(fns)');
    }),
  forAwait: () =>
    timed(async () => {
      const tasks = spawnFns.map((fn) => createTask(fn));
      let sum = 0;
      for (const task of tasks) sum += await task;
      check(sum, SPAWN_SUM, 'for-await');
    }),
};

export const TASK_CASE: Case = {
  id: 'task',
  title: '1. createTask(fn) + await vs await fn()',
  unit: 'ns/op',
  baseline: 'task.raw',
  plot: 'ratio',
  rows: [
    {
      id: 'task.raw',
      label: 'await fn()                      top level',
      sample: opsSample(loopOf('raw', work)),
    },
    {
      id: 'task.corio',
      label: 'await createTask(fn)            top level',
      sample: opsSample(loopOf('createTask', () => createTask(work))),
    },
    {
      id: 'task.raw-in-run',
      label: 'await fn()                      inside run()',
      sample: opsSample(inRun(loopOf('raw in run', work))),
    },
    {
      id: 'task.corio-in-run',
      label: 'await createTask(fn)            inside run()',
      vs2: 'task.raw-in-run',
      sample: opsSample(inRun(loopOf('createTask in run', () => createTask(work)))),
    },
  ],
};

export const SPAWN_CASE: Case = {
  id: 'spawn',
  title: `2. spawn + join ${formatNumber(SPAWN_TASKS, 0)} tasks`,
  unit: 'ms',
  baseline: 'spawn.promise-all',
  plot: 'ratio',
  rows: [
    {
      id: 'spawn.promise-all',
      label: 'Promise.all(fns.map(call))      top level',
      sample: spawnSample.promiseAll,
    },
    {
      id: 'spawn.promise-all-frames',
      label: 'Promise.all, a context frame per call (floor)',
      sample: spawnSample.promiseAllFrames,
    },
    {
      id: 'spawn.gather',
      label: 'createTask each + gather(tasks) top level',
      vs2: 'spawn.promise-all-frames',
      target: atMost(3),
      sample: spawnSample.gather,
    },
    {
      id: 'spawn.for-await',
      label: 'createTask each + for…await     top level',
      sample: spawnSample.forAwait,
    },
    {
      id: 'spawn.gather-fns',
      label: 'gather(fns)                     top level',
      sample: spawnSample.gatherFns,
    },
    {
      id: 'spawn.promise-all-in-run',
      label: 'Promise.all(fns.map(call))      inside run()',
      sample: () => run(spawnSample.promiseAll),
    },
    {
      id: 'spawn.gather-in-run',
      label: 'createTask each + gather(tasks) inside run()',
      vs2: 'spawn.promise-all-in-run',
      sample: () => run(spawnSample.gather),
    },
    {
      id: 'spawn.for-await-in-run',
      label: 'createTask each + for…await     inside run()',
      sample: () => run(spawnSample.forAwait),
    },
    // Effect takes seconds per sample here (tens of µs per fiber at 100k): four rounds each.
    // (Forking each fiber and joining them one by one was about twice as fast, as slow per fiber.)
    {
      id: 'spawn.effect',
      label: 'Effect.forEach(Effect.promise(fn)) unbounded',
      vs2: 'spawn.gather',
      maxRounds: 4,
      sample: effectSpawn(spawnFns, SPAWN_SUM),
    },
    {
      id: 'spawn.effect-yield',
      label: 'Effect.forEach(yieldNow) unbounded',
      vs2: 'spawn.gather',
      maxRounds: 4,
      sample: effectSpawnYield(SPAWN_TASKS, SPAWN_SUM),
    },
  ],
};

const pTimeoutOnce = (): Promise<number> => pTimeout(quick(), { milliseconds: LIMIT_MS });

export const TIMEOUT_CASE: Case = {
  id: 'timeout',
  title: `3. a ${formatNumber(LIMIT_MS, 0)} ms limit that never fires`,
  unit: 'ns/op',
  baseline: 'timeout.p-timeout',
  plot: 'ratio',
  rows: [
    {
      id: 'timeout.none',
      label: 'await fn() (no limit)           top level',
      sample: opsSample(loopOf('no limit', quick)),
    },
    {
      id: 'timeout.p-timeout',
      label: 'pTimeout(fn(), {milliseconds})  top level',
      sample: opsSample(loopOf('p-timeout', pTimeoutOnce)),
    },
    {
      id: 'timeout.p-timeout-in-run',
      label: 'pTimeout(fn(), {milliseconds})  inside run()',
      sample: opsSample(inRun(loopOf('p-timeout in run', pTimeoutOnce))),
    },
    {
      id: 'timeout.corio-in-run',
      label: 'timeout(ms, fn)                 inside run()',
      target: {
        text: '≥ 3x faster',
        pass: (_figure, ratio) => ratio !== undefined && ratio <= 1 / 3,
      },
      sample: opsSample(inRun(loopOf('timeout in run', () => timeout(LIMIT_MS, quick)))),
    },
    {
      id: 'timeout.wait-for-in-run',
      label: 'waitFor(fn(), ms)               inside run()',
      sample: opsSample(inRun(loopOf('waitFor in run', () => waitFor(quick(), LIMIT_MS)))),
    },
    {
      id: 'timeout.corio',
      label: 'timeout(ms, fn) (makes a task)  top level',
      sample: opsSample(loopOf('timeout', () => timeout(LIMIT_MS, quick))),
    },
    {
      // Each call leaves a 10 s timer and a finalizer behind until its signal is collected: they
      // load the heap for every implementation of the round alike, which is why this case runs
      // last of the in-process ones.
      id: 'timeout.abort-signal',
      label: 'AbortSignal.timeout + race      top level',
      sample: opsSample(loopOf('AbortSignal', () => withAbortSignalTimeout(quick(), LIMIT_MS))),
    },
    {
      id: 'timeout.effect',
      label: 'Effect.timeout(Effect.promise(fn)) in Effect.gen',
      vs2: 'timeout.corio-in-run',
      sample: opsSample(effectTimeoutLoop(quick, LIMIT_MS)),
    },
  ],
};
