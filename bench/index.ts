// corio benchmark suite: `pnpm bench` (Node 20 via tsx) or, from the repo root,
// `node --import tsx bench/index.ts` on any Node. Runs every case in one process, sequentially,
// prints one table with ratios and writes bench/results/<node-major>.json.
//
// `bench/index.ts task spawn` runs only the named cases (and writes no JSON).
// Cases: task, spawn, timeout, heap, asyncio, limit, queue, asyncio-sync.
//
// Order matters on Node 20: AsyncLocalStorage (which corio uses to find the running task)
// switches on V8 promise hooks for the whole process the first time a task runs, and they stay
// on. So every baseline marked `clean` runs before any corio code, and the `inside run()`
// baselines show the tax the rest of the program pays. Node 24 has AsyncContextFrame and no such
// tax. The heap case runs in a child process with --expose-gc unless this one has gc().

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTask, gather, run, timeout, waitFor } from '@corio/core';
import pTimeout from 'p-timeout';
import type { Loop, Measurement } from './harness.js';
import { corioSource, machine, writeResults } from './provenance.js';
import { formatNumber, measure, measureOps, printTable, summarise, timed } from './harness.js';
import type { HeapResult } from './heap.js';
import { HEAP_TASKS, measureHeap } from './heap.js';
import {
  LIMIT_CONCURRENCY,
  LIMIT_JOBS,
  QUEUE_ITEMS,
  QUEUE_MAXSIZES,
  limitSamples,
  makeCorioQueue,
  makeMinimalQueue,
  queueSample,
  runAsyncioSync,
} from './sync.js';

const execFileAsync = promisify(execFile);
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Tasks per spawn+join sample (and in the CPython reference). */
const SPAWN_TASKS = 100_000;
const LIMIT_MS = 10_000;

type CaseId =
  'task' | 'spawn' | 'timeout' | 'heap' | 'asyncio' | 'limit' | 'queue' | 'asyncio-sync';
type Unit = 'ns/op' | 'ms' | 'B/task';

const CASE_TITLES: Record<CaseId, string> = {
  task: `1. createTask(fn) + await vs await fn()`,
  spawn: `2. spawn + join ${formatNumber(SPAWN_TASKS, 0)} tasks`,
  timeout: `3. a ${formatNumber(LIMIT_MS, 0)} ms limit that never fires`,
  heap: `4. heap per pending task (${formatNumber(HEAP_TASKS, 0)} tasks)`,
  asyncio: `5. CPython asyncio reference (spawn + join ${formatNumber(SPAWN_TASKS, 0)})`,
  limit: `6. ${formatNumber(LIMIT_JOBS, 0)} jobs (await null) at concurrency ${String(LIMIT_CONCURRENCY)}`,
  queue: `7. queue producer → consumer, ${formatNumber(QUEUE_ITEMS, 0)} items`,
  'asyncio-sync': '8. CPython asyncio reference (cases 6 and 7)',
};

/** A target from the issue; `ratio` is the result divided by its baseline's. */
interface Target {
  readonly text: string;
  pass(value: number, ratio: number | undefined): boolean;
}

interface Result extends Measurement {
  readonly id: string;
  readonly caseId: CaseId;
  readonly label: string;
  readonly unit: Unit;
  readonly n?: number | undefined;
  /** Heap only: the warm-up run's figure. */
  readonly firstRun?: number | undefined;
  /** The id of the result this one is compared with. */
  readonly vs?: string | undefined;
  /** median / baseline median. */
  ratio?: number | undefined;
  /** A second baseline (cases 6 and 7: the minimal hand-written primitive). */
  readonly vs2?: string | undefined;
  ratio2?: number | undefined;
  readonly target?: Target | undefined;
  pass?: boolean | undefined;
}

interface Variant {
  readonly id: string;
  readonly caseId: CaseId;
  readonly label: string;
  readonly unit: Unit;
  /** `clean` variants run before any corio code (see the note at the top), `last` after all. */
  readonly phase: 'clean' | 'corio' | 'last';
  readonly vs?: string;
  readonly vs2?: string;
  readonly target?: Target;
  measure(): Promise<Measurement & { n?: number }>;
}

// ---------------------------------------------------------------------------------------------
// The work being scheduled.

/** The unit of work of cases 1 and 2: yields once, returns a number. */
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

function check(sum: number, expected: number, where: string): void {
  if (sum !== expected)
    throw new Error(`${where}: got ${String(sum)}, expected ${String(expected)}`);
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

// 100k distinct async functions, built once: every variant calls the same ones.
const spawnFns = Array.from({ length: SPAWN_TASKS }, (_, i) => async (): Promise<number> => {
  // eslint-disable-next-line @typescript-eslint/await-thenable
  await null;
  return i;
});
const SPAWN_SUM = (SPAWN_TASKS * (SPAWN_TASKS - 1)) / 2;
const sumOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

const spawnSample = {
  promiseAll: () =>
    timed(async () => {
      check(sumOf(await Promise.all(spawnFns.map((fn) => fn()))), SPAWN_SUM, 'Promise.all');
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

const SPAWN_RUNS = { warmup: 1, runs: 5 };
const SYNC_RUNS = { warmup: 1, runs: 5 };

/** Case 7's rows for one maxsize. */
function queueVariants(maxsize: (typeof QUEUE_MAXSIZES)[number]): Variant[] {
  const size = `maxsize ${String(maxsize)}`.padEnd(12);
  const minimal = `queue.minimal-${String(maxsize)}`;
  return [
    {
      id: minimal,
      caseId: 'queue',
      label: `minimal queue    ${size}   plain async fns`,
      unit: 'ms',
      phase: 'clean',
      measure: () => measure(queueSample('minimal', makeMinimalQueue, maxsize, false), SYNC_RUNS),
    },
    {
      id: `queue.corio-${String(maxsize)}`,
      caseId: 'queue',
      label: `corio Queue      ${size}   two tasks (gather)`,
      unit: 'ms',
      phase: 'corio',
      vs: minimal,
      target: atMost(1.5),
      measure: () => measure(queueSample('corio Queue', makeCorioQueue, maxsize, true), SYNC_RUNS),
    },
    {
      id: `queue.corio-plain-${String(maxsize)}`,
      caseId: 'queue',
      label: `corio Queue      ${size}   plain async fns`,
      unit: 'ms',
      phase: 'corio',
      vs: minimal,
      measure: () => measure(queueSample('corio Queue', makeCorioQueue, maxsize, false), SYNC_RUNS),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The variants, in table order. Within each phase they run in this order too.

const atMost = (limit: number): Target => ({
  text: `≤ ${String(limit)}x`,
  pass: (_value, ratio) => ratio !== undefined && ratio <= limit,
});

const VARIANTS: readonly Variant[] = [
  // 1. createTask + await vs a raw call.
  {
    id: 'task.raw',
    caseId: 'task',
    label: 'await fn()                      top level',
    unit: 'ns/op',
    phase: 'clean',
    measure: () => measureOps(loopOf('raw', work)),
  },
  {
    id: 'task.corio',
    caseId: 'task',
    label: 'await createTask(fn)            top level',
    unit: 'ns/op',
    phase: 'corio',
    vs: 'task.raw',
    measure: () => measureOps(loopOf('createTask', () => createTask(work))),
  },
  {
    id: 'task.raw-in-run',
    caseId: 'task',
    label: 'await fn()                      inside run()',
    unit: 'ns/op',
    phase: 'corio',
    vs: 'task.raw',
    measure: () => measureOps(inRun(loopOf('raw in run', work))),
  },
  {
    id: 'task.corio-in-run',
    caseId: 'task',
    label: 'await createTask(fn)            inside run()',
    unit: 'ns/op',
    phase: 'corio',
    vs: 'task.raw-in-run',
    measure: () => measureOps(inRun(loopOf('createTask in run', () => createTask(work)))),
  },

  // 2. spawn + join 100k.
  {
    id: 'spawn.promise-all',
    caseId: 'spawn',
    label: 'Promise.all(fns.map(call))      top level',
    unit: 'ms',
    phase: 'clean',
    measure: () => measure(spawnSample.promiseAll, SPAWN_RUNS),
  },
  {
    id: 'spawn.gather',
    caseId: 'spawn',
    label: 'createTask each + gather(tasks) top level',
    unit: 'ms',
    phase: 'corio',
    vs: 'spawn.promise-all',
    target: atMost(4),
    measure: () => measure(spawnSample.gather, SPAWN_RUNS),
  },
  {
    id: 'spawn.for-await',
    caseId: 'spawn',
    label: 'createTask each + for…await     top level',
    unit: 'ms',
    phase: 'corio',
    vs: 'spawn.promise-all',
    target: atMost(4),
    measure: () => measure(spawnSample.forAwait, SPAWN_RUNS),
  },
  {
    id: 'spawn.gather-fns',
    caseId: 'spawn',
    label: 'gather(fns)                     top level',
    unit: 'ms',
    phase: 'corio',
    vs: 'spawn.promise-all',
    measure: () => measure(spawnSample.gatherFns, SPAWN_RUNS),
  },
  {
    id: 'spawn.promise-all-in-run',
    caseId: 'spawn',
    label: 'Promise.all(fns.map(call))      inside run()',
    unit: 'ms',
    phase: 'corio',
    vs: 'spawn.promise-all',
    measure: () => measure(() => run(spawnSample.promiseAll), SPAWN_RUNS),
  },
  {
    id: 'spawn.gather-in-run',
    caseId: 'spawn',
    label: 'createTask each + gather(tasks) inside run()',
    unit: 'ms',
    phase: 'corio',
    vs: 'spawn.promise-all',
    measure: () => measure(() => run(spawnSample.gather), SPAWN_RUNS),
  },
  {
    id: 'spawn.for-await-in-run',
    caseId: 'spawn',
    label: 'createTask each + for…await     inside run()',
    unit: 'ms',
    phase: 'corio',
    vs: 'spawn.promise-all',
    measure: () => measure(() => run(spawnSample.forAwait), SPAWN_RUNS),
  },

  // 3. A limit that never fires.
  {
    id: 'timeout.none',
    caseId: 'timeout',
    label: 'await fn() (no limit)           top level',
    unit: 'ns/op',
    phase: 'clean',
    measure: () => measureOps(loopOf('no limit', quick)),
  },
  {
    id: 'timeout.p-timeout',
    caseId: 'timeout',
    label: 'pTimeout(fn(), {milliseconds})  top level',
    unit: 'ns/op',
    phase: 'clean',
    measure: () =>
      measureOps(loopOf('p-timeout', () => pTimeout(quick(), { milliseconds: LIMIT_MS }))),
  },
  {
    id: 'timeout.p-timeout-in-run',
    caseId: 'timeout',
    label: 'pTimeout(fn(), {milliseconds})  inside run()',
    unit: 'ns/op',
    phase: 'corio',
    vs: 'timeout.p-timeout',
    measure: () =>
      measureOps(
        inRun(loopOf('p-timeout in run', () => pTimeout(quick(), { milliseconds: LIMIT_MS }))),
      ),
  },
  {
    id: 'timeout.corio-in-run',
    caseId: 'timeout',
    label: 'timeout(ms, fn)                 inside run()',
    unit: 'ns/op',
    phase: 'corio',
    vs: 'timeout.p-timeout',
    target: {
      text: '≥ 3x faster',
      pass: (_value, ratio) => ratio !== undefined && ratio <= 1 / 3,
    },
    measure: () => measureOps(inRun(loopOf('timeout in run', () => timeout(LIMIT_MS, quick)))),
  },
  {
    id: 'timeout.wait-for-in-run',
    caseId: 'timeout',
    label: 'waitFor(fn(), ms)               inside run()',
    unit: 'ns/op',
    phase: 'corio',
    vs: 'timeout.p-timeout',
    measure: () => measureOps(inRun(loopOf('waitFor in run', () => waitFor(quick(), LIMIT_MS)))),
  },
  {
    id: 'timeout.corio',
    caseId: 'timeout',
    label: 'timeout(ms, fn) (makes a task)  top level',
    unit: 'ns/op',
    phase: 'corio',
    vs: 'timeout.p-timeout',
    measure: () => measureOps(loopOf('timeout', () => timeout(LIMIT_MS, quick))),
  },
  {
    // Runs last of all: each call leaves a 10 s timer and a finalizer behind until its signal
    // is collected, which made whatever ran next slow and erratic (x10 spikes on Node 20).
    id: 'timeout.abort-signal',
    caseId: 'timeout',
    label: 'AbortSignal.timeout + race      top level, last',
    unit: 'ns/op',
    phase: 'last',
    vs: 'timeout.p-timeout',
    measure: () =>
      measureOps(loopOf('AbortSignal', () => withAbortSignalTimeout(quick(), LIMIT_MS))),
  },

  // 6. A concurrency limit of 100 around 100k one-yield jobs.
  {
    id: 'limit.p-limit',
    caseId: 'limit',
    label: 'p-limit: limit(fn)               Promise.all',
    unit: 'ms',
    phase: 'clean',
    measure: () => measure(limitSamples.pLimit, SYNC_RUNS),
  },
  {
    id: 'limit.p-queue',
    caseId: 'limit',
    label: 'p-queue: queue.add(fn)           Promise.all',
    unit: 'ms',
    phase: 'clean',
    vs: 'limit.p-limit',
    vs2: 'limit.minimal',
    measure: () => measure(limitSamples.pQueue, SYNC_RUNS),
  },
  {
    id: 'limit.async-mutex',
    caseId: 'limit',
    label: 'async-mutex: sem.runExclusive   Promise.all',
    unit: 'ms',
    phase: 'clean',
    vs: 'limit.p-limit',
    vs2: 'limit.minimal',
    // Seconds per sample (its waiter queue is far slower at 100k waiters): fewer runs.
    measure: () => measure(limitSamples.asyncMutex, { warmup: 0, runs: 3 }),
  },
  {
    id: 'limit.minimal',
    caseId: 'limit',
    label: 'minimal semaphore: use(fn)       Promise.all',
    unit: 'ms',
    phase: 'clean',
    vs: 'limit.p-limit',
    measure: () => measure(limitSamples.minimal, SYNC_RUNS),
  },
  {
    id: 'limit.corio',
    caseId: 'limit',
    label: 'corio limiter: limit(fn)         Promise.all',
    unit: 'ms',
    phase: 'corio',
    vs: 'limit.p-limit',
    vs2: 'limit.minimal',
    target: atMost(1),
    measure: () => measure(limitSamples.limiter, SYNC_RUNS),
  },
  {
    id: 'limit.corio-gather',
    caseId: 'limit',
    label: 'corio limiter: limit(fn)         gather',
    unit: 'ms',
    phase: 'corio',
    vs: 'limit.p-limit',
    vs2: 'limit.minimal',
    target: atMost(1),
    measure: () => measure(limitSamples.limiterGather, SYNC_RUNS),
  },
  {
    id: 'limit.semaphore',
    caseId: 'limit',
    label: 'corio Semaphore: use(fn)         Promise.all',
    unit: 'ms',
    phase: 'corio',
    vs: 'limit.minimal',
    vs2: 'limit.p-limit',
    target: atMost(1.5),
    measure: () => measure(limitSamples.semaphoreUse, SYNC_RUNS),
  },
  {
    id: 'limit.minimal-after',
    caseId: 'limit',
    label: 'minimal semaphore, after corio   Promise.all',
    unit: 'ms',
    phase: 'corio',
    vs: 'limit.minimal',
    measure: () => measure(limitSamples.minimal, SYNC_RUNS),
  },

  // 7. Queue producer/consumer.
  ...QUEUE_MAXSIZES.flatMap(queueVariants),
];

// ---------------------------------------------------------------------------------------------
// Heap (case 4) and CPython (case 5).

async function heapResults(): Promise<HeapResult[]> {
  if (typeof globalThis.gc === 'function') {
    return measureHeap();
  }
  // No gc() here: measure in a child with --expose-gc (a fresh heap, too).
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('heap-main.ts', import.meta.url))],
    { cwd: ROOT_DIR, maxBuffer: 1 << 20 },
  );
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '[]') as HeapResult[];
}

async function measureHeapCase(): Promise<Result[]> {
  const heap = await heapResults();
  return heap.map((h) => {
    const corio = h.id !== 'heap.raw';
    return {
      ...summarise(h.runs),
      id: h.id,
      caseId: 'heap' as const,
      label: h.label,
      unit: 'B/task' as const,
      n: HEAP_TASKS,
      firstRun: h.firstRun,
      vs: corio ? 'heap.raw' : undefined,
      target: corio ? { text: '< 1024 B', pass: (value: number) => value < 1024 } : undefined,
    };
  });
}

interface AsyncioOutput {
  python: string;
  median_ms: number;
  runs_ms: number[];
}

async function measureAsyncio(): Promise<Result[]> {
  const script = fileURLToPath(new URL('asyncio_spawn.py', import.meta.url));
  let output: AsyncioOutput;
  try {
    const { stdout } = await execFileAsync('python3', [script, String(SPAWN_TASKS), '3', '0'], {
      timeout: 60_000,
    });
    output = JSON.parse(stdout) as AsyncioOutput;
  } catch (error) {
    console.error(`asyncio: skipped (${error instanceof Error ? error.message : String(error)})`);
    return [];
  }
  return [
    {
      ...summarise(output.runs_ms),
      id: 'asyncio.gather',
      caseId: 'asyncio',
      label: `CPython ${output.python} create_task each + gather`,
      unit: 'ms',
      n: SPAWN_TASKS,
      // CPython's time over corio's: how many times corio's rate is CPython's.
      vs: 'spawn.gather-in-run',
      target: { text: '≥ 10x', pass: (_value, ratio) => ratio !== undefined && ratio >= 10 },
    },
  ];
}

/** Case 8: CPython's time over corio's, as in case 5. */
async function measureAsyncioSync(): Promise<Result[]> {
  const output = await runAsyncioSync();
  if (output === undefined) return [];
  const rows: [workload: string, label: string, vs: string][] = [
    [
      'semaphore',
      `Semaphore(${String(LIMIT_CONCURRENCY)}) per task + gather`,
      'limit.corio-gather',
    ],
    ...QUEUE_MAXSIZES.map((maxsize): [string, string, string] => [
      `queue-${String(maxsize)}`,
      `Queue(${String(maxsize)}) producer → consumer`,
      `queue.corio-${String(maxsize)}`,
    ]),
  ];
  return rows.flatMap(([workload, label, vs]) => {
    const runs = output.workloads[workload]?.runs_ms;
    if (runs === undefined) return [];
    return [
      {
        ...summarise(runs),
        id: `asyncio-sync.${workload}`,
        caseId: 'asyncio-sync' as const,
        label: `CPython ${output.python} ${label}`.padEnd(44),
        unit: 'ms' as const,
        vs,
        target: { text: '≥ 5x', pass: (_value: number, ratio?: number) => (ratio ?? 0) >= 5 },
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Running and reporting.

function formatValue(value: number, unit: Unit): string {
  return unit === 'ns/op' ? formatNumber(value, 0) : formatNumber(value, 1);
}

function report(results: readonly Result[], cases: readonly CaseId[]): void {
  const header = ['case / variant', 'median', 'min–max', 'unit', 'ratio', 'vs', 'target'];
  for (const caseId of cases) {
    const rows = results.filter((r) => r.caseId === caseId);
    if (rows.length === 0) continue;
    console.log(`\n${CASE_TITLES[caseId]}`);
    // A second ratio column only for the cases that have a second baseline.
    const second = rows.some((r) => r.vs2 !== undefined);
    printTable(
      second ? [...header, 'ratio 2', 'vs 2'] : header,
      rows.map((r) => {
        const cells = [
          `  ${r.label}`,
          formatValue(r.median, r.unit),
          `${formatValue(r.min, r.unit)}–${formatValue(r.max, r.unit)}`,
          r.unit,
          r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
          r.vs ?? '',
          r.target === undefined ? '' : `${r.target.text} ${r.pass === true ? 'PASS' : 'FAIL'}`,
        ];
        if (!second) return cells;
        const ratio2 = r.ratio2 === undefined ? '' : `${r.ratio2.toFixed(2)}x`;
        return [...cells, ratio2, r.vs2 ?? ''];
      }),
    );
  }
}

/** Runs one step, logging its name and duration on stderr (stdout holds the report). */
async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await body();
  process.stderr.write(
    `  ${name.padEnd(26)} ${((performance.now() - start) / 1000).toFixed(1)} s\n`,
  );
  return value;
}

async function main(): Promise<void> {
  const allCases = Object.keys(CASE_TITLES) as CaseId[];
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = requested.filter((a) => !allCases.includes(a as CaseId));
  if (unknown.length > 0) {
    throw new RangeError(
      `bench: unknown case ${unknown.join(', ')}; cases: ${allCases.join(', ')}`,
    );
  }
  const cases = requested.length === 0 ? allCases : (requested as CaseId[]);
  const info = machine();
  const source = await corioSource(['core']);
  console.log(
    `corio bench — Node ${String(info.node)} (V8 ${String(info.v8)}), ${String(info.platform)}\n` +
      `${String(info.cpu)}, ${String(info.cores)} cores, ${String(info.memoryGiB)} GiB, ` +
      `load ${String(info.loadavg)}\ncorio ${source.commit} (src ${source.srcDigest}); ` +
      'medians of 5–7 runs after warm-up',
  );

  const started = performance.now();
  const results: Result[] = [];
  const selected = VARIANTS.filter((v) => cases.includes(v.caseId));
  const ordered = [
    ...selected.filter((v) => v.phase === 'clean'),
    ...selected.filter((v) => v.phase === 'corio'),
    ...selected.filter((v) => v.phase === 'last'),
  ];
  for (const variant of ordered) {
    const m = await step(variant.id, () => variant.measure());
    results.push({
      ...m,
      id: variant.id,
      caseId: variant.caseId,
      label: variant.label,
      unit: variant.unit,
      vs: variant.vs,
      vs2: variant.vs2,
      target: variant.target,
    });
  }
  if (cases.includes('heap')) {
    results.push(...(await step('heap', measureHeapCase)));
  }
  if (cases.includes('asyncio')) {
    results.push(...(await step('asyncio', measureAsyncio)));
  }
  if (cases.includes('asyncio-sync')) {
    results.push(...(await step('asyncio-sync', measureAsyncioSync)));
  }

  // Table order, ratios and targets.
  const order = new Map<string, number>(VARIANTS.map((v, i) => [v.id, i]));
  results.sort(
    (a, b) =>
      allCases.indexOf(a.caseId) - allCases.indexOf(b.caseId) ||
      (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
  );
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const r of results) {
    const base = r.vs === undefined ? undefined : byId.get(r.vs);
    r.ratio = base === undefined ? undefined : r.median / base.median;
    const base2 = r.vs2 === undefined ? undefined : byId.get(r.vs2);
    r.ratio2 = base2 === undefined ? undefined : r.median / base2.median;
    r.pass = r.target?.pass(r.median, r.ratio);
  }
  report(results, cases);
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nratio = median ÷ median of the "vs" row; total ${seconds.toFixed(1)} s`);

  if (requested.length === 0) {
    const json = {
      machine: info,
      corio: source,
      seconds,
      results: results.map(({ target, ...r }) => ({ ...r, target: target?.text })),
    };
    console.log(`wrote ${await writeResults('', json)}`);
  }
}

await main();
