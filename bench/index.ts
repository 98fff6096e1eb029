// corio benchmark suite: `pnpm bench`, or `node --expose-gc --import tsx bench/index.ts` on any
// Node (22+; the committed figures are Node 24's and 26's). --expose-gc lets each sample start
// after a full collection (see bench/rounds.ts); without it the run says so and goes on. Prints one table per case and writes
// bench/results/<node-major>.json, which the docs' benchmarks page reads.
//
// `bench/index.ts spawn limit` runs only the named cases (and writes no JSON). Cases: task, spawn,
// timeout, heap, asyncio, limit, queue, asyncio-sync, pairs.
//
// Every in-process case runs in paired rounds (bench/rounds.ts): each round runs every
// implementation of the case once, in an order rotated round by round, and every ratio is the
// median of the per-round ratios, quoted with its min and max. The heap case (bytes, which do not
// drift with the load) runs each variant in a fresh child with --expose-gc; CPython's cases run in python3 (their ratios, of medians
// measured apart, are marked unpaired); `pairs` repeats the headline ratios as fresh-process
// pairs (bench/pairs.ts). The load average is recorded at the start and at the end.
//
// On Node 22, AsyncLocalStorage (which corio uses to find the running task) still runs on V8
// promise hooks, switched on for the whole process by the first task: there every implementation
// that runs after corio's first round pays that tax, the baselines too. Node 24's
// AsyncContextFrame has no such tax, so the order of cases no longer matters, except that the
// timeout case runs last (see its AbortSignal row).

import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { HeapResult } from './heap.js';
import { HEAP_TASKS, HEAP_VARIANTS } from './heap.js';
import { formatNumber } from './harness.js';
import { measurePairs, printPairs } from './pairs.js';
import type { PairResult } from './pairs.js';
import { corioSource, machine, writeResults } from './provenance.js';
import { REFERENCE_TITLES, measureAsyncio, measureAsyncioSync } from './reference.js';
import { caseResults, measureCase, printCase, referenceResult } from './report.js';
import { SPAWN_CASE, TASK_CASE, TIMEOUT_CASE } from './spawn.js';
import type { Case, CaseInfo, Result, Row } from './suite.js';
import { LIMIT_CASE, QUEUE_CASES } from './sync.js';

const execFileAsync = promisify(execFile);
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** In-process cases, in the order they run: timeout last (its AbortSignal row leaves timers). */
const IN_PROCESS: readonly Case[] = [
  TASK_CASE,
  SPAWN_CASE,
  LIMIT_CASE,
  ...QUEUE_CASES,
  TIMEOUT_CASE,
];

const HEAP_TARGET = {
  text: '≤ 600 B',
  onFigure: true,
  pass: (figure: number) => figure <= 600,
};

const HEAP_CASE: CaseInfo & { rows: Omit<Row, 'sample'>[] } = {
  id: 'heap',
  title: `4. heap per pending task (${formatNumber(HEAP_TASKS, 0)} tasks)`,
  unit: 'B/task',
  baseline: 'heap.raw',
  plot: 'value',
  rows: [],
};

/** The table order of the cases, as numbered in their titles. */
const TABLE_ORDER = [
  'task',
  'spawn',
  'timeout',
  'heap',
  'asyncio',
  'limit',
  'queue-1',
  'queue-100',
  'asyncio-sync',
];

const CLI_CASES = [...TABLE_ORDER.filter((c) => !c.startsWith('queue-')), 'queue', 'pairs'];

/** The heap variants, each in a child process of its own with --expose-gc (see bench/heap.ts). */
async function measureHeapCase(): Promise<Result[]> {
  const heap: HeapResult[] = [];
  for (const id of HEAP_VARIANTS) {
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        fileURLToPath(new URL('heap-main.ts', import.meta.url)),
        id,
      ],
      { cwd: ROOT_DIR, maxBuffer: 1 << 20 },
    );
    heap.push(...(JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as HeapResult[]));
  }
  // The target is for a task suspended in its body; a limiter's queued call (a task not started
  // yet) is compared with p-limit's instead.
  const queuedCall = (id: string): boolean => id.endsWith('-queued');
  const rows = heap.map((h) => ({
    id: h.id,
    label: h.label,
    ...(h.id === 'heap.raw' || queuedCall(h.id) ? {} : { target: HEAP_TARGET }),
    ...(h.id === 'heap.effect' ? { vs2: 'heap.future' } : {}),
    ...(h.id === 'heap.limiter-queued' ? { vs2: 'heap.p-limit-queued' } : {}),
  }));
  const figures = new Map(heap.map((h) => [h.id, h.runs]));
  const firstRuns = new Map(heap.map((h) => [h.id, h.firstRun]));
  return caseResults({ ...HEAP_CASE, rows }, figures).map((r) => ({
    ...r,
    firstRun: firstRuns.get(r.id) ?? NaN,
  }));
}

/** Runs one step, logging its name and duration on stderr (stdout holds the report). */
async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await body();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  process.stderr.write(`  ${name.padEnd(26)} ${seconds} s\n`);
  return value;
}

function parseCases(): { requested: string[]; wanted: (id: string) => boolean } {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = requested.filter((a) => !CLI_CASES.includes(a));
  if (unknown.length > 0) {
    throw new RangeError(
      `bench: unknown case ${unknown.join(', ')}; cases: ${CLI_CASES.join(', ')}`,
    );
  }
  const wanted = (id: string): boolean =>
    requested.length === 0 ||
    requested.includes(id) ||
    (id.startsWith('queue-') && requested.includes('queue'));
  return { requested, wanted };
}

async function main(): Promise<void> {
  const { requested, wanted } = parseCases();
  const info = machine();
  const loadStart = loadavg();
  const source = await corioSource(['core']);
  console.log(
    `corio bench — Node ${String(info.node)} (V8 ${String(info.v8)}), ${String(info.platform)}\n` +
      `${String(info.cpu)}, ${String(info.cores)} cores, ${String(info.memoryGiB)} GiB, ` +
      `load ${String(info.loadavg)}\ncorio ${source.commit} (src ${source.srcDigest}); ` +
      'paired rounds: every implementation once per round, ratios per round (median min–max)',
  );

  if (typeof globalThis.gc !== 'function') {
    console.log('no gc(): each sample pays for the garbage of the one before (use --expose-gc)');
  }
  const started = performance.now();
  const results: Result[] = [];
  for (const c of IN_PROCESS) {
    if (wanted(c.id)) results.push(...(await measureCase(c)));
  }
  if (wanted('heap')) results.push(...(await step('heap (child process)', measureHeapCase)));
  for (const [id, measure] of [
    ['asyncio', measureAsyncio],
    ['asyncio-sync', measureAsyncioSync],
  ] as const) {
    if (!wanted(id)) continue;
    const refs = await step(`${id} (python3)`, measure);
    results.push(...refs.map((ref) => referenceResult(ref, results)));
  }
  let pairs: PairResult[] | undefined;
  if (wanted('pairs')) pairs = await step('pairs (fresh processes)', () => measurePairs());
  const loadEnd = loadavg();

  const titles = new Map<string, string>([
    ...[...IN_PROCESS, HEAP_CASE].map((c): [string, string] => [c.id, c.title]),
    ...Object.entries(REFERENCE_TITLES),
  ]);
  const byCase = (id: string): Result[] => results.filter((r) => r.caseId === id);
  for (const id of TABLE_ORDER) printCase(titles.get(id) ?? id, byCase(id));
  if (pairs !== undefined) printPairs(pairs);
  const seconds = (performance.now() - started) / 1000;
  const load = { start: loadStart, end: loadEnd };
  console.log(
    `\nload average ${loadStart.map((l) => l.toFixed(2)).join(' ')} at the start, ` +
      `${loadEnd.map((l) => l.toFixed(2)).join(' ')} at the end; total ${seconds.toFixed(1)} s`,
  );

  if (requested.length === 0) {
    const cases = [...IN_PROCESS, HEAP_CASE].map(
      ({ id, title, unit, baseline, plot }): CaseInfo => ({ id, title, unit, baseline, plot }),
    );
    const ordered = TABLE_ORDER.flatMap(byCase);
    const gcBetween = typeof globalThis.gc === 'function';
    const json = {
      machine: info,
      load,
      corio: source,
      seconds,
      gcBetweenSamples: gcBetween,
      cases,
      results: ordered,
      pairs,
    };
    console.log(`wrote ${await writeResults('', json)}`);
  }
}

await main();
