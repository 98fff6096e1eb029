// A VitePress data loader: reads every bench/results/*.json when the site is built (and again
// when one changes under `vitepress dev`) and groups each file's results by case.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { LoaderModule } from 'vitepress';

/** One measured variant, as bench/index.ts (and the streams and executor benches) write it. */
export interface BenchResult {
  readonly id: string;
  readonly caseId: string;
  readonly label: string;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** The id of the result this one is compared with. */
  readonly vs?: string;
  /** median ÷ the median of `vs`. */
  readonly ratio?: number;
  /** The target from the issue, such as `≤ 4x`, and whether it was met. */
  readonly target?: string;
  readonly pass?: boolean;
}

/** A result with what the page shows beside it. */
export interface BenchRow extends BenchResult {
  /** The label with its column padding collapsed. */
  readonly text: string;
  /** The label of the `vs` result, if it is in the same file. */
  readonly vsText?: string;
}

export interface BenchCase {
  readonly caseId: string;
  readonly title: string;
  readonly rows: readonly BenchRow[];
}

export interface BenchMachine {
  readonly node?: string;
  readonly v8?: string;
  readonly platform?: string;
  readonly cpu?: string;
  readonly cores?: number;
  readonly memoryGiB?: number;
  readonly loadavg?: string;
  readonly date?: string;
}

export interface BenchFile {
  /** The file name, such as `20.json` or `streams-24.json`. */
  readonly file: string;
  /** `core`, `streams`, `executor`: the part before the Node major, `core` for `<major>.json`. */
  readonly suite: string;
  readonly machine: BenchMachine;
  readonly commit?: string;
  readonly srcDigest?: string;
  readonly seconds?: number;
  readonly cases: readonly BenchCase[];
}

export interface BenchData {
  readonly files: readonly BenchFile[];
}

/**
 * Case titles by `<suite>/<caseId>`, as the bench scripts print them (without the figures that a
 * script's constants may change); a result's own `caseTitle` wins, an unknown case shows its id.
 */
const CASE_TITLES: Readonly<Record<string, string>> = {
  'core/task': 'createTask(fn) + await vs await fn()',
  'core/spawn': 'spawn + join 100,000 tasks',
  'core/timeout': 'a 10,000 ms limit that never fires',
  'core/heap': 'heap per pending task',
  'core/asyncio': 'CPython asyncio reference (spawn + join 100,000)',
  'core/limit': 'jobs (await null) under a concurrency limit',
  'core/queue': 'queue producer → consumer',
  'core/asyncio-sync': 'CPython asyncio reference (limit and queue)',
  'streams/echo': 'echo through the server (MB/s: higher is better)',
  'streams/lines': 'lines echoed line by line (lines/s: higher is better)',
  'executor/tiny': 'tiny jobs (a + b) submitted at once',
  'executor/cpu': 'CPU-bound jobs: workers vs the main thread',
};

const SUITE_ORDER = ['core', 'streams', 'executor'];

interface RawFile {
  machine?: BenchMachine;
  corio?: { commit?: string; srcDigest?: string };
  seconds?: number;
  results?: (BenchResult & { caseTitle?: string })[];
}

/** Parses one results file; throws a message naming the file if it has no `results` array. */
export function parseResults(file: string, json: string): BenchFile {
  const raw = JSON.parse(json) as RawFile;
  if (!Array.isArray(raw.results)) {
    throw new TypeError(`Cannot read ${file}: 'results' must be an array`);
  }
  const name = basename(file);
  const suite = /^(?:(.+)-)?\d+\.json$/.exec(name)?.[1] ?? 'core';
  const byId = new Map(raw.results.map((r) => [r.id, r]));
  const cases = new Map<string, { title: string; rows: BenchRow[] }>();
  for (const result of raw.results) {
    let group = cases.get(result.caseId);
    if (group === undefined) {
      group = {
        title: result.caseTitle ?? CASE_TITLES[`${suite}/${result.caseId}`] ?? result.caseId,
        rows: [],
      };
      cases.set(result.caseId, group);
    }
    const vs = result.vs === undefined ? undefined : byId.get(result.vs);
    group.rows.push({
      id: result.id,
      caseId: result.caseId,
      label: result.label,
      unit: result.unit,
      median: result.median,
      min: result.min,
      max: result.max,
      ...(result.vs === undefined ? {} : { vs: result.vs }),
      ...(result.ratio === undefined ? {} : { ratio: result.ratio }),
      ...(result.target === undefined ? {} : { target: result.target }),
      ...(result.pass === undefined ? {} : { pass: result.pass }),
      text: tidy(result.label),
      ...(vs === undefined ? {} : { vsText: tidy(vs.label) }),
    });
  }
  return {
    file: name,
    suite,
    machine: raw.machine ?? {},
    ...(raw.corio?.commit === undefined ? {} : { commit: raw.corio.commit }),
    ...(raw.corio?.srcDigest === undefined ? {} : { srcDigest: raw.corio.srcDigest }),
    ...(raw.seconds === undefined ? {} : { seconds: raw.seconds }),
    cases: [...cases].map(([caseId, { title, rows }]) => ({ caseId, title, rows })),
  };
}

/** `await fn()       top level` → `await fn() · top level`. */
function tidy(label: string): string {
  return label.trim().replace(/\s{2,}/g, ' · ');
}

function nodeMajor(file: BenchFile): number {
  return Number(/(\d+)\.json$/.exec(file.file)?.[1] ?? 0);
}

/** Files in page order: core, streams, executor (then any other suite), each by Node version. */
export function sortFiles(files: readonly BenchFile[]): BenchFile[] {
  const rank = (suite: string): number => {
    const index = SUITE_ORDER.indexOf(suite);
    return index === -1 ? SUITE_ORDER.length : index;
  };
  return [...files].sort(
    (a, b) =>
      rank(a.suite) - rank(b.suite) ||
      a.suite.localeCompare(b.suite, 'en') ||
      nodeMajor(a) - nodeMajor(b),
  );
}

declare const data: BenchData;
export { data };

export default {
  watch: ['../../bench/results/*.json'],
  load(watchedFiles: string[]): BenchData {
    const files = watchedFiles.map((file) => parseResults(file, readFileSync(file, 'utf8')));
    return { files: sortFiles(files) };
  },
} satisfies LoaderModule;
