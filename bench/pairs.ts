// The headline ratios again, as fresh-process pairs: `pnpm bench:pairs`. Each figure comes from a
// process that ran one implementation and nothing else (so no other implementation's garbage,
// JIT state or timers are in its heap), and the two processes of a pair run back to back, in
// alternating order (A B, B A, ...), so the ratio of a pair is of two moments close together.
// Writes the pairs into bench/results/<node major>.json beside the in-process results.
//
// `bench/pairs.ts --child <row id>` is one such process: it runs the row's sample after warm-up
// and prints `{ "id", "median", "runs" }` as its last line.

import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from './harness.js';
import { readResults, writeResults } from './provenance.js';
import { spread } from './rounds.js';
import { SPAWN_CASE, TASK_CASE, TIMEOUT_CASE } from './spawn.js';
import type { Case, Row, Unit } from './suite.js';
import { LIMIT_CASE, QUEUE_CASES } from './sync.js';

const execFileAsync = promisify(execFile);
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const CASES: readonly Case[] = [TASK_CASE, SPAWN_CASE, TIMEOUT_CASE, LIMIT_CASE, ...QUEUE_CASES];

/** The rows whose target is a headline of issue #12, each paired with the row of its target. */
export const PAIR_ROWS = [
  'spawn.gather',
  'limit.corio',
  'limit.corio-in-run',
  'timeout.corio-in-run',
] as const;

/** Pairs per headline; each pair is two processes. */
const PAIRS = 8;
/** Samples in each process, after the warm-up ones. */
const CHILD = { warmup: 2, runs: 5 };

export interface PairResult {
  readonly id: string;
  readonly caseId: string;
  readonly label: string;
  readonly vs: string;
  readonly vsLabel: string;
  readonly unit: Unit;
  readonly pairs: number;
  /** A's median ÷ B's, pair by pair: their median, smallest and largest. */
  readonly ratio: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  readonly ratios: readonly number[];
  /** Each process's median figure. */
  readonly figures: readonly number[];
  readonly vsFigures: readonly number[];
  readonly target?: string;
  readonly pass?: boolean;
  /** os.loadavg() before the first process and after the last. */
  readonly load: { readonly start: readonly number[]; readonly end: readonly number[] };
}

function find(id: string): { c: Case; row: Row } {
  for (const c of CASES) {
    const row = c.rows.find((r) => r.id === id);
    if (row !== undefined) return { c, row };
  }
  throw new RangeError(`pairs: no row '${id}'`);
}

/** Runs one row in a fresh process and returns its median figure. */
async function child(id: string): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', script, '--child', id],
    { cwd: ROOT_DIR, maxBuffer: 1 << 20, timeout: 300_000 },
  );
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return (JSON.parse(last) as { median: number }).median;
}

/** Measures every headline as `pairs` fresh-process pairs. */
export async function measurePairs(pairs = PAIRS): Promise<PairResult[]> {
  const results: PairResult[] = [];
  for (const id of PAIR_ROWS) {
    const { c, row } = find(id);
    const vs = row.target?.vs ?? c.baseline;
    const base = find(vs).row;
    const start = loadavg();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < pairs; i++) {
      process.stderr.write(i === 0 ? `  pairs ${id.padEnd(22)} .` : '.');
      if (i % 2 === 0) {
        a.push(await child(id));
        b.push(await child(vs));
      } else {
        b.push(await child(vs));
        a.push(await child(id));
      }
    }
    process.stderr.write('\n');
    const ratios = a.map((x, i) => x / (b[i] as number));
    const ratio = spread(ratios);
    results.push({
      id,
      caseId: c.id,
      label: row.label,
      vs,
      vsLabel: base.label,
      unit: c.unit,
      pairs,
      ratio: ratio.median,
      ratioMin: ratio.min,
      ratioMax: ratio.max,
      ratios,
      figures: a,
      vsFigures: b,
      ...(row.target === undefined
        ? {}
        : { target: row.target.text, pass: row.target.pass(median(a), ratio.median) }),
      load: { start, end: loadavg() },
    });
  }
  return results;
}

/** Prints the pairs as a table on stdout. */
export function printPairs(results: readonly PairResult[]): void {
  console.log('\nfresh-process pairs (A ÷ B per pair: median, min–max)');
  for (const r of results) {
    const verdict =
      r.target === undefined ? '' : `  ${r.target} ${r.pass === true ? 'PASS' : 'FAIL'}`;
    console.log(
      `  ${r.label.replace(/\s{2,}/g, ' · ')}\n    ÷ ${r.vsLabel.replace(/\s{2,}/g, ' · ')}: ` +
        `${r.ratio.toFixed(2)}x ${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)} ` +
        `(${String(r.pairs)} pairs, load ${r.load.start.map((l) => l.toFixed(2)).join(' ')})${verdict}`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const { row } = find(args[1] ?? '');
    for (let i = 0; i < CHILD.warmup; i++) await row.sample();
    const runs: number[] = [];
    for (let i = 0; i < CHILD.runs; i++) {
      // As between the samples of a round (bench/rounds.ts): each starts on a collected heap.
      globalThis.gc?.();
      runs.push(await row.sample());
    }
    process.stdout.write(`${JSON.stringify({ id: row.id, median: median(runs), runs })}\n`);
    return;
  }
  const pairs = args[0] === undefined ? PAIRS : Number(args[0]);
  if (!Number.isInteger(pairs) || pairs < 1) {
    throw new RangeError(
      `pairs: the count must be a positive integer, received ${String(args[0])}`,
    );
  }
  const results = await measurePairs(pairs);
  printPairs(results);
  const existing = (await readResults('')) ?? { results: [] };
  console.log(`wrote ${await writeResults('', { ...existing, pairs: results })}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
