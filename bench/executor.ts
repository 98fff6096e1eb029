// Executor benchmark: `pnpm bench:executor` (Node 20 via tsx) or, from the repo root,
// `node --import tsx bench/executor.ts` on any Node. Prints a table with ratios and writes
// bench/results/executor-<node-major>.json (the shape of bench/results/<major>.json).
//
// 1. 20,000 tiny jobs (add two numbers), all submitted at once, on 2 workers: corio's
//    WorkerPoolExecutor (submit, and map with chunks) against piscina, tinypool, a minimal
//    hand-written pool (one job in flight per worker) and a ceiling that posts every job at once.
// 2. 8 CPU-bound jobs (~150 ms each) on 2 workers against the same jobs run one after another on
//    the main thread.
// 3. map() over the 20,000 tiny jobs, with its default chunk size and with chunkSize 1, against
//    submit() for each item, measured in alternation (submit, default, 1, submit, ...): each
//    row's ratio is taken round by round, and its min, median and max printed and written.
//
// `bench/executor.ts tiny`, `cpu` or `map` runs one case (and writes no JSON).

import os from 'node:os';
import { WorkerPoolExecutor } from '@corio/executor';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import type { Measurement } from './harness.js';
import { corioSource, machine, writeResults } from './provenance.js';
import { formatNumber, measure, printTable, summarise, timed } from './harness.js';
import { OneInFlightPool, PostAllAtOnce, RawHashWorkers } from './executor-pools.js';

// piscina imports the job module through the tsx loader its workers inherit; tinypool's workers
// do not inherit it, so they get the same function as a data: URL.
const WORKER_FILE = new URL('./executor-worker.ts', import.meta.url).href;
const WORKER_DATA_URL = `data:text/javascript,${encodeURIComponent(
  'export default function add({ a, b }) { return a + b; }',
)}`;

const WORKERS = 2;
const TINY_JOBS = 20_000;
const MAP_CHUNK = 64;
const CPU_JOBS = 8;
const CPU_JOB_MS = 150;
const TINY_RUNS = { warmup: 2, runs: 7 };
const CPU_RUNS = { warmup: 1, runs: 9 };
const MAP_RUNS = { warmup: 2, runs: 11 };
/** Sum of i + 1 for i in 0..TINY_JOBS-1: every contender's results are checked. */
const TINY_SUM = (TINY_JOBS * (TINY_JOBS + 1)) / 2;

type CaseId = 'tiny' | 'cpu' | 'map';
type Unit = 'jobs/s' | 'ms';

const CASE_TITLES: Record<CaseId, string> = {
  tiny: `1. ${formatNumber(TINY_JOBS, 0)} tiny jobs (a + b) submitted at once, ${String(WORKERS)} workers`,
  cpu: `2. ${String(CPU_JOBS)} CPU-bound jobs (~${String(CPU_JOB_MS)} ms each): ${String(WORKERS)} workers vs the main thread`,
  map: `3. map() over ${formatNumber(TINY_JOBS, 0)} tiny jobs (i + 1) vs submit() for each, ${String(WORKERS)} workers, in alternation`,
};

/** The min, median and max of a row's ratio to its `vs` row, taken round by round. */
interface RoundRatios {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly rounds: readonly number[];
}

interface Target {
  readonly text: string;
  pass(value: number, ratio: number | undefined): boolean;
}

interface Variant {
  readonly id: string;
  readonly caseId: CaseId;
  readonly label: string;
  readonly unit: Unit;
  readonly vs?: string;
  readonly target?: Target;
  measure(): Promise<Measurement & { readonly roundRatios?: RoundRatios }>;
}

interface Result extends Measurement {
  readonly id: string;
  readonly caseId: CaseId;
  /** For a case the docs' page does not know by its id. */
  readonly caseTitle?: string | undefined;
  readonly label: string;
  readonly unit: Unit;
  readonly vs?: string | undefined;
  ratio?: number | undefined;
  /** Set where the row and its `vs` row were measured in alternation. */
  readonly roundRatios?: RoundRatios | undefined;
  readonly target?: Target | undefined;
  pass?: boolean | undefined;
}

function check(sum: number, expected: number, where: string): void {
  if (sum !== expected) {
    throw new Error(`${where}: got ${String(sum)}, expected ${String(expected)}`);
  }
}

const sumOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Jobs per second of `runAll`, which runs TINY_JOBS jobs and returns their sum. */
function throughput(where: string, runAll: () => Promise<number>): () => Promise<number> {
  return async () => {
    let sum = 0;
    const ms = await timed(async () => {
      sum = await runAll();
    });
    check(sum, TINY_SUM, where);
    return (TINY_JOBS * 1000) / ms;
  };
}

/** Measures with a pool made before and closed after (worker start-up is not timed). */
async function withPool<P>(
  make: () => P,
  close: (pool: P) => Promise<unknown>,
  sample: (pool: P) => () => Promise<number>,
  runs = TINY_RUNS,
): Promise<Measurement> {
  const pool = make();
  try {
    return await measure(sample(pool), runs);
  } finally {
    await close(pool);
  }
}

const add = (a: number, b: number): number => a + b;
const addOne = (i: number): number => i + 1;

/** A CPU-bound job: `rounds` steps of a 32-bit FNV-1a-like hash. Self-contained. */
function hashLoop(rounds: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < rounds; i++) h = Math.imul(h ^ (i & 0xff), 16777619) >>> 0;
  return h;
}

/** The rounds for which hashLoop takes about CPU_JOB_MS on this thread. */
function calibrateHash(): number {
  let rounds = 1 << 16;
  for (;;) {
    const start = performance.now();
    hashLoop(rounds);
    const ms = performance.now() - start;
    if (ms > 20) return Math.round((rounds * CPU_JOB_MS) / ms);
    rounds *= 2;
  }
}

function tinyVariants(): Variant[] {
  const tiny = (
    id: string,
    label: string,
    extra: Partial<Variant> = {},
  ): Pick<Variant, 'id' | 'caseId' | 'label' | 'unit'> & Partial<Variant> => ({
    id: `executor.tiny.${id}`,
    caseId: 'tiny',
    label,
    unit: 'jobs/s',
    ...extra,
  });
  const atLeast2x: Target = { text: '≥ 2x piscina', pass: (_v, r) => r !== undefined && r >= 2 };
  return [
    {
      ...tiny('all-at-once', 'every job posted at once (no pool)'),
      measure: () =>
        withPool(
          () => new PostAllAtOnce(WORKERS),
          (p) => p.close(),
          (p) => throughput('all at once', () => p.runAll(TINY_JOBS)),
        ),
    },
    {
      ...tiny('one-in-flight', 'minimal pool, one job in flight', { vs: 'executor.tiny.piscina' }),
      measure: () =>
        withPool(
          () => new OneInFlightPool(WORKERS),
          (p) => p.close(),
          (p) =>
            throughput('one in flight', async () =>
              sumOf(await Promise.all(Array.from({ length: TINY_JOBS }, (_, i) => p.run(i, 1)))),
            ),
        ),
    },
    {
      ...tiny('piscina', 'piscina 5 run()'),
      measure: () =>
        withPool(
          () => new Piscina({ filename: WORKER_FILE, minThreads: WORKERS, maxThreads: WORKERS }),
          (p) => p.destroy(),
          (p) =>
            throughput('piscina', async () =>
              sumOf(
                await Promise.all(
                  Array.from(
                    { length: TINY_JOBS },
                    (_, i) => p.run({ a: i, b: 1 }) as Promise<number>,
                  ),
                ),
              ),
            ),
        ),
    },
    {
      ...tiny('tinypool', 'tinypool 2 run()', { vs: 'executor.tiny.piscina' }),
      measure: () =>
        withPool(
          () =>
            new Tinypool({ filename: WORKER_DATA_URL, minThreads: WORKERS, maxThreads: WORKERS }),
          (p) => p.destroy(),
          (p) =>
            throughput('tinypool', async () =>
              sumOf(
                await Promise.all(
                  Array.from(
                    { length: TINY_JOBS },
                    (_, i) => p.run({ a: i, b: 1 }) as Promise<number>,
                  ),
                ),
              ),
            ),
        ),
    },
    {
      ...tiny('corio-submit', 'corio submit()', { vs: 'executor.tiny.piscina', target: atLeast2x }),
      measure: () =>
        withPool(
          () => new WorkerPoolExecutor({ maxWorkers: WORKERS }),
          (p) => p.shutdown(),
          (p) =>
            throughput('corio submit', async () =>
              sumOf(
                await Promise.all(Array.from({ length: TINY_JOBS }, (_, i) => p.submit(add, i, 1))),
              ),
            ),
        ),
    },
    {
      ...tiny('corio-map', `corio map(), chunkSize ${String(MAP_CHUNK)}`, {
        vs: 'executor.tiny.piscina',
      }),
      measure: () =>
        withPool(
          () => new WorkerPoolExecutor({ maxWorkers: WORKERS }),
          (p) => p.shutdown(),
          (p) =>
            throughput('corio map', async () => {
              const inputs = Array.from({ length: TINY_JOBS }, (_, i) => i);
              let sum = 0;
              for await (const value of p.map(addOne, inputs, { chunkSize: MAP_CHUNK }))
                sum += value;
              return sum;
            }),
        ),
    },
  ];
}

/**
 * Case 2's rows, measured in alternation (serial, raw workers, pool, serial, ...) so that all see
 * the same load on a shared machine. The raw workers (no pool) show the speedup the machine
 * allows at the time.
 */
function cpuVariants(rounds: number): Variant[] {
  const expected = hashLoop(rounds);
  const checkAll = (values: readonly number[], where: string): void => {
    if (values.length !== CPU_JOBS || values.some((v) => v !== expected)) {
      throw new Error(`${where}: wrong hashes`);
    }
  };
  const serial = (): Promise<number> =>
    timed(async () => {
      const values: number[] = [];
      for (let i = 0; i < CPU_JOBS; i++) values.push(hashLoop(rounds));
      checkAll(values, 'serial');
      await Promise.resolve();
    });
  type Rows = Record<'serial' | 'raw' | 'corio', Measurement>;
  let measured: Promise<Rows> | undefined;
  const measureAll = async (): Promise<Rows> => {
    const pool = new WorkerPoolExecutor({ maxWorkers: WORKERS });
    const raw = new RawHashWorkers(WORKERS);
    const rawRun = (): Promise<number> =>
      timed(async () => {
        checkAll(await raw.run(CPU_JOBS, rounds), 'raw workers');
      });
    const parallel = (): Promise<number> =>
      timed(async () => {
        const jobs = Array.from({ length: CPU_JOBS }, () => pool.submit(hashLoop, rounds));
        checkAll(await Promise.all(jobs), 'corio');
      });
    try {
      const runs = { serial: [] as number[], raw: [] as number[], corio: [] as number[] };
      for (let i = 0; i < CPU_RUNS.warmup + CPU_RUNS.runs; i++) {
        const s = await serial();
        const r = await rawRun();
        const c = await parallel();
        if (i < CPU_RUNS.warmup) continue;
        runs.serial.push(s);
        runs.raw.push(r);
        runs.corio.push(c);
      }
      return {
        serial: summarise(runs.serial),
        raw: summarise(runs.raw),
        corio: summarise(runs.corio),
      };
    } finally {
      await Promise.all([pool.shutdown(), raw.close()]);
    }
  };
  const all = (): Promise<Rows> => (measured ??= measureAll());
  return [
    {
      id: 'executor.cpu.serial',
      caseId: 'cpu',
      label: 'one after another, main thread',
      unit: 'ms',
      measure: async () => (await all()).serial,
    },
    {
      id: 'executor.cpu.raw',
      caseId: 'cpu',
      label: `${String(WORKERS)} bare worker threads, no pool`,
      unit: 'ms',
      vs: 'executor.cpu.serial',
      measure: async () => (await all()).raw,
    },
    {
      id: 'executor.cpu.corio',
      caseId: 'cpu',
      label: `corio submit(), ${String(WORKERS)} workers`,
      unit: 'ms',
      vs: 'executor.cpu.serial',
      target: { text: '≥ 1.8x speedup', pass: (_v, r) => r !== undefined && 1 / r >= 1.8 },
      measure: async () => (await all()).corio,
    },
  ];
}

/**
 * Case 3's rows, measured in alternation (submit, map default, map chunkSize 1, submit, ...) on
 * one pool, so that each round's ratios compare runs made under the same load.
 */
function mapVariants(): Variant[] {
  const inputs = Array.from({ length: TINY_JOBS }, (_, i) => i);
  type RowId = 'submit' | 'default' | 'one';
  const samples = (pool: WorkerPoolExecutor): Record<RowId, () => Promise<number>> => {
    const mapped = (options: { chunkSize?: number }) => async () => {
      let sum = 0;
      for await (const value of pool.map(addOne, inputs, options)) sum += value;
      return sum;
    };
    return {
      submit: throughput('corio submit loop', async () => {
        const futures = [];
        for (const i of inputs) futures.push(pool.submit(add, i, 1));
        return sumOf(await Promise.all(futures));
      }),
      default: throughput('corio map default', mapped({})),
      one: throughput('corio map chunkSize 1', mapped({ chunkSize: 1 })),
    };
  };
  type Rows = Record<RowId, Measurement & { roundRatios?: RoundRatios }>;
  let measured: Promise<Rows> | undefined;
  const measureAll = async (): Promise<Rows> => {
    const pool = new WorkerPoolExecutor({ maxWorkers: WORKERS });
    try {
      const sample = samples(pool);
      const rows: RowId[] = ['submit', 'default', 'one'];
      const runs: Record<RowId, number[]> = { submit: [], default: [], one: [] };
      for (let i = 0; i < MAP_RUNS.warmup + MAP_RUNS.runs; i++) {
        const round: number[] = [];
        for (const row of rows) round.push(await sample[row]());
        if (i < MAP_RUNS.warmup) continue;
        rows.forEach((row, k) => runs[row].push(round[k] as number));
      }
      const versus = (row: RowId): RoundRatios => {
        const rounds = runs[row].map((v, k) => v / (runs.submit[k] as number));
        const { min, median, max } = summarise(rounds);
        return { min, median, max, rounds };
      };
      return {
        submit: summarise(runs.submit),
        default: { ...summarise(runs.default), roundRatios: versus('default') },
        one: { ...summarise(runs.one), roundRatios: versus('one') },
      };
    } finally {
      await pool.shutdown();
    }
  };
  const all = (): Promise<Rows> => (measured ??= measureAll());
  return [
    {
      id: 'executor.map.submit',
      caseId: 'map',
      label: 'corio submit() for each item, then await all',
      unit: 'jobs/s',
      measure: async () => (await all()).submit,
    },
    {
      id: 'executor.map.default',
      caseId: 'map',
      label: 'corio map(), default chunk size',
      unit: 'jobs/s',
      vs: 'executor.map.submit',
      target: { text: '≥ submit()', pass: (_v, r) => r !== undefined && r >= 1 },
      measure: async () => (await all()).default,
    },
    {
      id: 'executor.map.chunk-1',
      caseId: 'map',
      label: 'corio map(), chunkSize 1',
      unit: 'jobs/s',
      vs: 'executor.map.submit',
      measure: async () => (await all()).one,
    },
  ];
}

function formatValue(value: number, unit: Unit): string {
  return unit === 'jobs/s' ? formatNumber(value, 0) : formatNumber(value, 1);
}

/** How a ratio reads: higher is better for jobs/s, a speedup (baseline ÷ this) for times. */
function formatRatio(r: Result): string {
  if (r.roundRatios !== undefined) {
    const { min, median, max } = r.roundRatios;
    return `${median.toFixed(2)}x (${min.toFixed(2)}–${max.toFixed(2)})`;
  }
  if (r.ratio === undefined) return '';
  return r.unit === 'ms' ? `${(1 / r.ratio).toFixed(2)}x faster` : `${r.ratio.toFixed(2)}x`;
}

function report(results: readonly Result[], cases: readonly CaseId[]): void {
  const header = ['case / variant', 'median', 'min–max', 'unit', 'ratio', 'vs', 'target'];
  for (const caseId of cases) {
    const rows = results.filter((r) => r.caseId === caseId);
    if (rows.length === 0) continue;
    console.log(`\n${CASE_TITLES[caseId]}`);
    printTable(
      header,
      rows.map((r) => [
        `  ${r.label}`,
        formatValue(r.median, r.unit),
        `${formatValue(r.min, r.unit)}–${formatValue(r.max, r.unit)}`,
        r.unit,
        formatRatio(r),
        r.vs ?? '',
        r.target === undefined ? '' : `${r.target.text} ${r.pass === true ? 'PASS' : 'FAIL'}`,
      ]),
    );
  }
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
  const source = await corioSource(['core', 'executor']);
  console.log(
    `corio executor bench — Node ${String(info.node)} (V8 ${String(info.v8)}), ${String(info.platform)}\n` +
      `${String(info.cpu)}, ${String(info.cores)} cores, ${String(info.memoryGiB)} GiB, ` +
      `load ${String(info.loadavg)}\ncorio ${source.commit} (executor src ${source.srcDigest}); ` +
      'medians of 5–11 runs after warm-up',
  );
  const started = performance.now();
  const variants: Variant[] = [];
  if (cases.includes('tiny')) variants.push(...tinyVariants());
  if (cases.includes('cpu')) variants.push(...cpuVariants(calibrateHash()));
  if (cases.includes('map')) variants.push(...mapVariants());
  const results: Result[] = [];
  for (const variant of variants) {
    const start = performance.now();
    const m = await variant.measure();
    process.stderr.write(
      `  ${variant.id.padEnd(32)} ${((performance.now() - start) / 1000).toFixed(1)} s\n`,
    );
    results.push({
      ...m,
      id: variant.id,
      caseId: variant.caseId,
      ...(variant.caseId === 'map' ? { caseTitle: CASE_TITLES.map } : {}),
      label: variant.label,
      unit: variant.unit,
      vs: variant.vs,
      target: variant.target,
    });
  }
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const r of results) {
    const base = r.vs === undefined ? undefined : byId.get(r.vs);
    r.ratio = base === undefined ? undefined : r.median / base.median;
    // Rows measured in alternation are judged by their ratio round by round.
    r.pass = r.target?.pass(r.median, r.roundRatios?.median ?? r.ratio);
  }
  report(results, cases);
  const serial = byId.get('executor.cpu.serial');
  const bare = byId.get('executor.cpu.raw');
  const pool = byId.get('executor.cpu.corio');
  if (serial !== undefined && bare !== undefined && pool !== undefined) {
    const speedup = (m: Measurement): string =>
      `${(serial.median / m.median).toFixed(2)}x (fastest runs ${(serial.min / m.min).toFixed(2)}x)`;
    console.log(
      `\nCPU speedup over the main thread: corio ${speedup(pool)}, bare workers ${speedup(bare)}; ` +
        `load ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} on ${String(os.cpus().length)} cores`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nratio: jobs/s ÷ jobs/s of the "vs" row; for times, the speedup over it; case 3: the median ` +
      `(min–max) of the ratios round by round; load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; total ${seconds.toFixed(1)} s`,
  );
  if (requested.length === 0) {
    const json = {
      machine: info,
      corio: source,
      seconds,
      results: results.map(({ target, ...r }) => ({ ...r, target: target?.text })),
    };
    console.log(`wrote ${await writeResults('executor-', json)}`);
  }
}

await main();
