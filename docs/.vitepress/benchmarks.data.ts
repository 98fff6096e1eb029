// A VitePress data loader: reads every bench/results/*.json when the site is built (and again
// when one changes under `vitepress dev`) and groups each file's results by case.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { LoaderModule } from 'vitepress';
import { dotRangeChart } from './bench-plot.js';
import type { DotRangePoint } from './bench-plot.js';

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
  /**
   * This result ÷ `vs`: in a file of paired rounds, the median of the per-round ratios (with the
   * smallest and the largest); in an older file, or for a figure measured in another process
   * (`paired: false`), the ratio of the two medians.
   */
  readonly ratio?: number;
  readonly ratioMin?: number;
  readonly ratioMax?: number;
  /** A second comparison (corio inside run() ÷ p-limit inside run()), per round as well. */
  readonly vs2?: string;
  readonly ratio2?: number;
  readonly ratio2Min?: number;
  readonly ratio2Max?: number;
  /** The target from the issue, such as `≤ 4x`, and whether it was met. */
  readonly target?: string;
  /** The result the target's ratio is against; absent in a paired file: a target on the figure. */
  readonly targetVs?: string;
  readonly pass?: boolean;
  readonly paired?: boolean;
}

/** What a paired results file says of each case: its title, baseline and kind of chart. */
export interface BenchCaseInfo {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly baseline: string;
  readonly plot: 'ratio' | 'value';
}

/** A headline ratio measured as fresh-process pairs (bench/pairs.ts). */
export interface BenchPair {
  readonly id: string;
  readonly label: string;
  readonly vs: string;
  readonly vsLabel: string;
  readonly pairs: number;
  readonly ratio: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  readonly target?: string;
  readonly pass?: boolean;
  readonly load?: { readonly start: readonly number[]; readonly end: readonly number[] };
}

/**
 * Who a variant's figures are for, told apart on the charts by colour: corio, another library
 * (p-limit, p-queue, p-timeout, async-mutex, piscina, tinypool, redis-semaphore, BullMQ),
 * CPython's asyncio, or the baseline without any library (plain `async` functions, Node's own
 * APIs, a minimal hand-written version).
 */
export type BenchKind = 'corio' | 'library' | 'cpython' | 'baseline';

/** A result with what the page shows beside it. */
export interface BenchRow extends BenchResult {
  /** The label with its column padding collapsed. */
  readonly text: string;
  /** The label of the `vs` result, if it is in the same file. */
  readonly vsText?: string;
  readonly kind: BenchKind;
  /** The median as the page prints it: `2,057`, `0.41`. */
  readonly medianText: string;
  /** The fastest and the slowest run: `1,509–2,901`. */
  readonly rangeText: string;
  /** `3.15×`, or empty without a ratio. */
  readonly ratioText: string;
  /** The smallest and the largest per-round ratio, `2.90–3.61`, or empty. */
  readonly ratioRangeText: string;
  /** The label of `vs2`, and the second ratio as `1.71× (1.33–7.72)`. */
  readonly vs2Text?: string;
  readonly ratio2Text: string;
  /** What the target is judged on: the ratio it names (`3.15×`) or the figure (`760 B`). */
  readonly targetText: string;
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

/** A headline pair as the page shows it. */
export interface BenchPairRow extends BenchPair {
  readonly text: string;
  readonly vsText: string;
  readonly ratioText: string;
  readonly ratioRangeText: string;
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
  /** Measured in paired rounds (every implementation once per round): a file with `cases`. */
  readonly paired: boolean;
  /** os.loadavg() at the start and the end of the run, as `1.48 2.05 2.42`. */
  readonly load?: { readonly start: string; readonly end: string };
  readonly pairs: readonly BenchPairRow[];
  readonly caseInfo: readonly BenchCaseInfo[];
}

/** A result that has a target from the issue, on each Node version measured. */
export interface BenchHeadline {
  readonly suite: string;
  /** Unique in its suite: the result's id, `@<target>` added for a second target of a result. */
  readonly id: string;
  /** The result's id. */
  readonly resultId: string;
  readonly caseTitle: string;
  readonly text: string;
  readonly vsText?: string;
  readonly target: string;
  /** The anchor of the chart that shows the result. */
  readonly chartId?: string;
  /** One cell per entry of {@link BenchData.nodes}; `undefined` where that run lacks the result. */
  readonly cells: readonly (
    { readonly ratioText: string; readonly pass: boolean | undefined } | undefined
  )[];
}

/** A fresh-process pair, with a cell per Node version. */
export interface BenchPairHeadline {
  readonly id: string;
  readonly text: string;
  readonly vsText: string;
  readonly target?: string;
  readonly cells: readonly (
    | {
        readonly ratioText: string;
        readonly ratioRangeText: string;
        readonly pairs: number;
        readonly pass: boolean | undefined;
      }
    | undefined
  )[];
}

/** One chart: a case of a suite (with the results of any reference case that it is compared with). */
export interface BenchChart {
  readonly suite: string;
  /** The anchor of its heading: `core-spawn`. */
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly log: boolean;
  /** The results it shows, as `<suite>/<id>`. */
  readonly rowIds: readonly string[];
  /** The legend: what each colour stands for, in this chart. */
  readonly legend: { readonly domain: readonly string[]; readonly range: readonly string[] };
  /** The chart as HTML (a `<figure>` with the legend and the SVG), drawn for a wide column. */
  readonly wide: string;
  /** The same chart drawn for a phone's column. */
  readonly narrow: string;
}

export interface BenchData {
  readonly files: readonly BenchFile[];
  /** The Node majors measured, ascending: `['20', '24']`. */
  readonly nodes: readonly string[];
  readonly headlines: readonly BenchHeadline[];
  readonly pairs: readonly BenchPairHeadline[];
  readonly charts: readonly BenchChart[];
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
  'http/rps': 'HTTP/1.1 keep-alive hello, 50 connections: requests per second (higher is better)',
  'http/p99': 'HTTP/1.1 keep-alive hello, 50 connections: p99 latency in ms',
  'http/cpu': "HTTP/1.1 keep-alive hello: the server's CPU time per request",
  'executor/tiny': 'tiny jobs (a + b) submitted at once',
  'executor/cpu': 'CPU-bound jobs: workers vs the main thread',
};

const SUITE_ORDER = ['core', 'streams', 'http', 'executor'];

interface RawFile {
  machine?: BenchMachine;
  load?: { start?: number[]; end?: number[] };
  corio?: { commit?: string; srcDigest?: string };
  seconds?: number;
  cases?: BenchCaseInfo[];
  results?: RawResult[];
  pairs?: BenchPair[];
  /** bench/http.ts's ratios, round by round (other suites' are read from their results). */
  ratios?: unknown[];
}

type RawResult = BenchResult & { caseTitle?: string };

/** `1.234` → `1.23×`. */
function times(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

function rangeOf(min: number | undefined, max: number | undefined): string {
  return min === undefined || max === undefined ? '' : `${min.toFixed(2)}–${max.toFixed(2)}`;
}

function loadText(load: readonly number[] | undefined): string | undefined {
  return load?.map((l) => l.toFixed(2)).join(' ');
}

/** The text a target is judged on: the ratio it names, or the figure for a target on it. */
function targetTextOf(result: BenchResult, medianText: string, paired: boolean): string {
  if (result.target === undefined) return '';
  if (paired && result.targetVs === undefined)
    return `${medianText} ${result.unit.split('/')[0] ?? ''}`.trim();
  if (
    result.targetVs !== undefined &&
    result.targetVs === result.vs2 &&
    result.ratio2 !== undefined
  ) {
    return times(result.ratio2);
  }
  return result.ratio === undefined ? '' : times(result.ratio);
}

/** One server of `pnpm bench:http` (bench/http.ts): its figures, each with its rounds' spread. */
interface HttpServerResult {
  id: string;
  label: string;
  rps: Spread;
  p99Ms: Spread;
  cpuUsPerRequest: Spread;
}

interface Spread {
  min: number;
  median: number;
  max: number;
}

/** A ratio of bench/http.ts, taken round by round: `of` ÷ `to` for one figure. */
interface HttpRatio extends Spread {
  of: string;
  to: string;
  figure: 'rps' | 'p99' | 'cpu';
  goal?: string;
  pass?: boolean;
}

/** The figures of bench/http.ts, one case each, as the page's cases: `[caseId, unit, field]`. */
const HTTP_FIGURES = [
  ['rps', 'req/s', 'rps'],
  ['p99', 'ms', 'p99Ms'],
  ['cpu', 'µs/req', 'cpuUsPerRequest'],
] as const;

/**
 * Rewrites the results of `pnpm bench:http` (one entry per server, with its req/s, p99 and CPU
 * time per request) as rows of three cases, each compared with the figure's ratios: corio's
 * against each other server, round by round.
 */
function fromHttp(results: readonly HttpServerResult[], ratios: readonly HttpRatio[]): RawResult[] {
  return HTTP_FIGURES.flatMap(([caseId, unit, field]) =>
    results.map((server) => {
      // The ratio the issue sets a goal on, else the one against the raw parser.
      const mine = ratios.filter((r) => r.figure === caseId && r.of === server.id);
      const ratio = mine.find((r) => r.goal !== undefined) ?? mine.find((r) => r.to === 'raw');
      return {
        id: `${caseId}.${server.id}`,
        caseId,
        label: server.label,
        unit,
        median: server[field].median,
        min: server[field].min,
        max: server[field].max,
        ...(ratio === undefined
          ? {}
          : {
              vs: `${caseId}.${ratio.to}`,
              ratio: ratio.median,
              ratioMin: ratio.min,
              ratioMax: ratio.max,
              ...(ratio.goal === undefined
                ? {}
                : { target: ratio.goal, pass: ratio.pass === true }),
            }),
      };
    }),
  );
}

/** Parses one results file; throws a message naming the file if it has no `results` array. */
export function parseResults(file: string, json: string): BenchFile {
  const raw = JSON.parse(json) as RawFile;
  if (!Array.isArray(raw.results)) {
    throw new TypeError(`Cannot read ${file}: 'results' must be an array`);
  }
  if (raw.results.some((r) => 'rps' in r)) {
    raw.results = fromHttp(
      raw.results as unknown as HttpServerResult[],
      (raw.ratios ?? []) as unknown as HttpRatio[],
    );
  }
  const name = basename(file);
  const suite = /^(?:(.+)-)?\d+\.json$/.exec(name)?.[1] ?? 'core';
  const paired = Array.isArray(raw.cases);
  const infos = new Map((raw.cases ?? []).map((c) => [c.id, c]));
  const byId = new Map(raw.results.map((r) => [r.id, r]));
  const cases = new Map<string, { title: string; rows: BenchRow[] }>();
  for (const result of raw.results) {
    let group = cases.get(result.caseId);
    if (group === undefined) {
      const title =
        infos.get(result.caseId)?.title.replace(/^\d+\.\s*/, '') ??
        result.caseTitle ??
        CASE_TITLES[`${suite}/${result.caseId}`] ??
        result.caseId;
      group = { title, rows: [] };
      cases.set(result.caseId, group);
    }
    const vs = result.vs === undefined ? undefined : byId.get(result.vs);
    const vs2 = result.vs2 === undefined ? undefined : byId.get(result.vs2);
    const medianText = formatValue(result.median, result.unit);
    const range2 = rangeOf(result.ratio2Min, result.ratio2Max);
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
      ...(result.ratioMin === undefined ? {} : { ratioMin: result.ratioMin }),
      ...(result.ratioMax === undefined ? {} : { ratioMax: result.ratioMax }),
      ...(result.vs2 === undefined ? {} : { vs2: result.vs2 }),
      ...(result.ratio2 === undefined ? {} : { ratio2: result.ratio2 }),
      ...(result.target === undefined ? {} : { target: result.target }),
      ...(result.targetVs === undefined ? {} : { targetVs: result.targetVs }),
      ...(result.pass === undefined ? {} : { pass: result.pass }),
      ...(result.paired === undefined ? {} : { paired: result.paired }),
      text: tidy(result.label),
      ...(vs === undefined ? {} : { vsText: tidy(vs.label) }),
      ...(vs2 === undefined ? {} : { vs2Text: tidy(vs2.label) }),
      kind: kindOf(result.id),
      medianText,
      rangeText: `${formatValue(result.min, result.unit)}–${formatValue(result.max, result.unit)}`,
      ratioText: result.ratio === undefined ? '' : times(result.ratio),
      ratioRangeText: rangeOf(result.ratioMin, result.ratioMax),
      ratio2Text:
        result.ratio2 === undefined
          ? ''
          : `${times(result.ratio2)}${range2 === '' ? '' : ` (${range2})`}`,
      targetText: targetTextOf(result, medianText, paired),
    });
  }
  const start = loadText(raw.load?.start);
  const end = loadText(raw.load?.end);
  return {
    file: name,
    suite,
    machine: raw.machine ?? {},
    ...(raw.corio?.commit === undefined ? {} : { commit: raw.corio.commit }),
    ...(raw.corio?.srcDigest === undefined ? {} : { srcDigest: raw.corio.srcDigest }),
    ...(raw.seconds === undefined ? {} : { seconds: raw.seconds }),
    cases: [...cases].map(([caseId, { title, rows }]) => ({ caseId, title, rows })),
    paired,
    ...(start === undefined || end === undefined ? {} : { load: { start, end } }),
    pairs: (raw.pairs ?? []).map((pair) => ({
      ...pair,
      text: tidy(pair.label),
      vsText: tidy(pair.vsLabel),
      ratioText: times(pair.ratio),
      ratioRangeText: rangeOf(pair.ratioMin, pair.ratioMax),
    })),
    caseInfo: [...infos.values()],
  };
}

/** The libraries the benchmarks compare corio with, as their result ids name them. */
const LIBRARIES = [
  'p-timeout',
  'p-limit',
  'p-queue',
  'async-mutex',
  'piscina',
  'tinypool',
  'effect',
  'redis-semaphore',
  'bullmq',
];

/** A library's name as the legend writes it, where it is not its id. */
const LIBRARY_NAMES: Readonly<Record<string, string>> = { effect: 'Effect', bullmq: 'BullMQ' };

const BASELINE =
  /(?:^|[.-])(?:raw|none|minimal|promise-all|abort-signal|readline|node-http|all-at-once|one-in-flight|serial)(?:[.-]|$)/;

/**
 * Who a result is for, from its id: `asyncio` is CPython, a library's name is that library, and
 * `raw`, `none`, `minimal`, `promise-all`, `abort-signal`, `readline`, `all-at-once`,
 * `one-in-flight` and `serial` are baselines; every other variant is corio's.
 */
export function kindOf(id: string): BenchKind {
  if (id.includes('asyncio')) return 'cpython';
  if (LIBRARIES.some((name) => id.includes(name))) return 'library';
  return BASELINE.test(id) ? 'baseline' : 'corio';
}

/** The median as the page prints it: whole numbers from 100 up (and for ns and bytes). */
export function formatValue(value: number, unit: string): string {
  const digits = unit === 'ns/op' || unit.startsWith('B') || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
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

/** The Node major of a results file, from its name: `streams-24.json` → `24`. */
function nodeOf(file: BenchFile): string {
  return String(nodeMajor(file));
}

/**
 * The results that have a target from the issue, one row per result and target, with a cell per
 * Node version.
 */
export function headlines(files: readonly BenchFile[]): BenchHeadline[] {
  const nodes = nodeVersions(files);
  const rows = new Map<string, BenchHeadline & { cells: BenchHeadline['cells'][number][] }>();
  for (const file of files) {
    for (const benchCase of file.cases) {
      for (const row of benchCase.rows) {
        if (row.target === undefined) continue;
        // A target that changed (`≤ 4x` became `≤ 3x`) is a row of its own: a cell is judged
        // on the target of its row.
        const key = `${file.suite}/${row.id}/${row.target}`;
        let headline = rows.get(key);
        if (headline === undefined) {
          const taken = [...rows.values()].some((h) => h.suite === file.suite && h.id === row.id);
          headline = {
            suite: file.suite,
            id: taken ? `${row.id}@${row.target}` : row.id,
            resultId: row.id,
            caseTitle: benchCase.title,
            text: row.text,
            ...(row.vsText === undefined ? {} : { vsText: row.vsText }),
            target: row.target,
            cells: nodes.map(() => undefined),
          };
          rows.set(key, headline);
        }
        headline.cells[nodes.indexOf(nodeOf(file))] = {
          ratioText: row.targetText,
          pass: row.pass,
        };
      }
    }
  }
  return [...rows.values()];
}

/** The fresh-process pairs, one row each, with a cell per Node version. */
export function pairHeadlines(files: readonly BenchFile[]): BenchPairHeadline[] {
  const nodes = nodeVersions(files);
  const rows = new Map<
    string,
    BenchPairHeadline & { cells: BenchPairHeadline['cells'][number][] }
  >();
  for (const file of files) {
    for (const pair of file.pairs) {
      const key = `${file.suite}/${pair.id}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = {
          id: pair.id,
          text: pair.text,
          vsText: pair.vsText,
          ...(pair.target === undefined ? {} : { target: pair.target }),
          cells: nodes.map(() => undefined),
        };
        rows.set(key, row);
      }
      row.cells[nodes.indexOf(nodeOf(file))] = {
        ratioText: pair.ratioText,
        ratioRangeText: pair.ratioRangeText,
        pairs: pair.pairs,
        pass: pair.pass,
      };
    }
  }
  return [...rows.values()];
}

function nodeVersions(files: readonly BenchFile[]): string[] {
  return [...new Set(files.map(nodeOf))].sort((a, b) => Number(a) - Number(b));
}

/** The colour of each kind: Okabe and Ito's palette, which colour-blind readers can tell apart. */
export const KIND_COLORS: Readonly<Record<BenchKind, string>> = {
  corio: '#0072b2',
  library: '#e69f00',
  cpython: '#cc79a7',
  baseline: '#8f8f8f',
};

const KIND_ORDER: readonly BenchKind[] = ['corio', 'library', 'cpython', 'baseline'];

/** What the legend calls a kind: the libraries by name. */
function legendText(kind: BenchKind, ids: readonly string[]): string {
  switch (kind) {
    case 'corio':
      return 'corio';
    case 'library':
      return LIBRARIES.filter((name) => ids.some((id) => id.includes(name)))
        .map((name) => LIBRARY_NAMES[name] ?? name)
        .join(', ');
    case 'cpython':
      return 'CPython asyncio';
    case 'baseline':
      return 'baseline, no library';
  }
}

function axisLabel(unit: string, log: boolean): string {
  const better = unit.endsWith('/s') ? 'higher is better' : 'lower is better';
  return `${unit}, ${better}${log ? ' (log scale)' : ''}`;
}

/** One point of a chart: a row of a file, and the figure drawn for it. */
interface ChartPoint {
  file: BenchFile;
  row: BenchRow;
  median: number;
  min: number;
  max: number;
  valueText: string;
  rangeText: string;
}

/** A chart before it is drawn: which rows of which file, in which case. */
interface ChartRows {
  suite: string;
  caseId: string;
  title: string;
  unit: string;
  /** `ratio`: each point is a row's ratio to the case's baseline, per round (paired files). */
  mode: 'value' | 'ratio';
  rows: ChartPoint[];
}

/** A row's own figure, as the chart draws it. */
function valuePoint(file: BenchFile, row: BenchRow): ChartPoint {
  const { median, min, max, medianText: valueText, rangeText } = row;
  return { file, row, median, min, max, valueText, rangeText };
}

/**
 * The charts of a suite measured in paired rounds: per case, every row's per-round ratio to the
 * case's baseline (median, smallest, largest), or the figures themselves for a case charted by
 * value (bytes). A reference row measured in another process (CPython) joins the chart of the
 * case it is compared with, as its median and runs ÷ the baseline's median: not paired.
 */
function pairedChartRows(files: readonly BenchFile[], charts: Map<string, ChartRows>): void {
  for (const file of files) {
    const rowOf = new Map(file.cases.flatMap((c) => c.rows.map((r) => [r.id, r] as const)));
    const infoOf = new Map(file.caseInfo.map((info) => [info.id, info]));
    const homeOf = (row: BenchRow): string =>
      infoOf.has(row.caseId) ? row.caseId : (rowOf.get(row.vs ?? '')?.caseId ?? row.caseId);
    for (const benchCase of file.cases) {
      for (const row of benchCase.rows) {
        const info = infoOf.get(homeOf(row));
        if (info === undefined) continue;
        const ratio = info.plot === 'ratio';
        const key = `${file.suite}/${info.id}/${info.plot}`;
        const base = rowOf.get(info.baseline);
        let chart = charts.get(key);
        if (chart === undefined) {
          const title = infoOf.get(info.id)?.title.replace(/^\d+\.\s*/, '') ?? info.id;
          chart = {
            suite: file.suite,
            caseId: info.id,
            title: ratio && base !== undefined ? `${title}, ÷ ${base.text}` : title,
            unit: ratio ? '×' : info.unit,
            mode: ratio ? 'ratio' : 'value',
            rows: [],
          };
          charts.set(key, chart);
        }
        if (!ratio) {
          chart.rows.push(valuePoint(file, row));
        } else if (
          row.ratioMin !== undefined &&
          row.ratio !== undefined &&
          row.id !== info.baseline
        ) {
          chart.rows.push({
            file,
            row,
            median: row.ratio,
            min: row.ratioMin,
            max: row.ratioMax ?? row.ratio,
            valueText: row.ratioText,
            rangeText: row.ratioRangeText,
          });
        } else if (row.paired === false && base !== undefined) {
          const [median, min, max] = [row.median, row.min, row.max].map((v) => v / base.median);
          chart.rows.push({
            file,
            row,
            median: median as number,
            min: min as number,
            max: max as number,
            valueText: times(median as number),
            rangeText: rangeOf(min, max),
          });
        }
      }
    }
  }
}

/**
 * The rows of every file, one chart per case and unit, suite by suite. A reference case (one whose
 * every result is compared with a result of another case, as CPython's are) is drawn in the chart
 * of the case it is compared with, so that its figures stand beside corio's.
 */
export function chartRows(files: readonly BenchFile[]): ChartRows[] {
  const charts = new Map<string, ChartRows>();
  const sorted = sortFiles(files);
  // A suite with files of paired rounds is charted from those alone (older files, whose figures
  // were measured one implementation at a time, are in the tables).
  const pairedSuites = new Set(sorted.filter((f) => f.paired).map((f) => f.suite));
  const drawn = new Set<string>();
  for (const file of sorted) {
    if (pairedSuites.has(file.suite)) {
      if (!drawn.has(file.suite)) {
        drawn.add(file.suite);
        pairedChartRows(
          sorted.filter((f) => f.suite === file.suite && f.paired),
          charts,
        );
      }
      continue;
    }
    const caseOf = new Map(file.cases.flatMap((c) => c.rows.map((r) => [r.id, c] as const)));
    // Every case first, so that a chart keeps the place of its own case.
    for (const benchCase of file.cases) {
      const units = new Set(benchCase.rows.map((r) => r.unit));
      for (const unit of units) {
        const key = `${file.suite}/${benchCase.caseId}/${unit}`;
        if (charts.has(key) || isReference(benchCase, caseOf)) continue;
        charts.set(key, {
          suite: file.suite,
          caseId: benchCase.caseId,
          title: units.size > 1 ? `${benchCase.title} (${unit})` : benchCase.title,
          unit,
          mode: 'value',
          rows: [],
        });
      }
    }
    for (const benchCase of file.cases) {
      for (const row of benchCase.rows) {
        const home = isReference(benchCase, caseOf)
          ? (caseOf.get(row.vs ?? '') ?? benchCase)
          : benchCase;
        const chart =
          charts.get(`${file.suite}/${home.caseId}/${row.unit}`) ??
          charts.get(`${file.suite}/${benchCase.caseId}/${row.unit}`);
        if (chart === undefined) {
          charts.set(`${file.suite}/${benchCase.caseId}/${row.unit}`, {
            suite: file.suite,
            caseId: benchCase.caseId,
            title: benchCase.title,
            unit: row.unit,
            mode: 'value',
            rows: [valuePoint(file, row)],
          });
        } else {
          chart.rows.push(valuePoint(file, row));
        }
      }
    }
  }
  return [...charts.values()].filter((chart) => chart.rows.length > 0);
}

function isReference(benchCase: BenchCase, caseOf: ReadonlyMap<string, BenchCase>): boolean {
  return benchCase.rows.every((row) => {
    const other = row.vs === undefined ? undefined : caseOf.get(row.vs);
    return other !== undefined && other !== benchCase;
  });
}

/** Draws every chart twice: for a wide column and for a phone's. */
export function charts(files: readonly BenchFile[]): BenchChart[] {
  return chartRows(files).map((chart) => {
    const points = chart.rows.map(({ file, row, median, min, max, valueText, rangeText }) => ({
      group: row.paired === false ? `${row.text} (own process, not paired)` : row.text,
      series: `Node ${nodeOf(file)}`,
      median,
      min,
      max,
      kind: row.kind,
      id: row.id,
      valueText,
      rangeText,
    }));
    // Variants in the order they first appear; within one, the Node versions ascending.
    const groups = [...new Set(points.map((p) => p.group))];
    points.sort(
      (a, b) =>
        groups.indexOf(a.group) - groups.indexOf(b.group) ||
        a.series.localeCompare(b.series, 'en', { numeric: true }),
    );
    const kinds = KIND_ORDER.filter((kind) => points.some((p) => p.kind === kind));
    const ids = points.map((p) => p.id);
    const legend = {
      domain: kinds.map((kind) => legendText(kind, ids)),
      range: kinds.map((kind) => KIND_COLORS[kind]),
    };
    const plotted: DotRangePoint[] = points.map(({ kind, id: _id, ...point }) => ({
      ...point,
      colorKey: legendText(kind, ids),
    }));
    const values = [
      ...points.flatMap((p) => [p.min, p.median, p.max]),
      ...(chart.mode === 'ratio' ? [1] : []),
    ].filter((v) => v > 0);
    const log = Math.max(...values) / Math.min(...values) > 10;
    const id = [
      chart.suite,
      chart.caseId,
      ...(chart.title.endsWith(`(${chart.unit})`) ? [chart.unit] : []),
    ]
      .join('-')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const ariaLabel = `${chart.title}, median ${chart.unit}: ${groups
      .map(
        (group) =>
          `${group}: ${points
            .filter((p) => p.group === group)
            .map((p) => `${p.series} ${p.valueText}`)
            .join(', ')}`,
      )
      .join('; ')}`;
    const ratio = chart.mode === 'ratio';
    const draw = (width: number): string =>
      dotRangeChart(plotted, {
        width,
        label: ratio
          ? `ratio per round: median, min–max; lower is better${log ? ' (log scale)' : ''}`
          : axisLabel(chart.unit, log),
        log,
        colors: legend,
        ariaLabel,
        ...(ratio ? { reference: 1 } : {}),
      });
    return {
      suite: chart.suite,
      id,
      title: chart.title,
      unit: chart.unit,
      log,
      rowIds: [...new Set(chart.rows.map(({ row }) => `${chart.suite}/${row.id}`))],
      legend,
      wide: draw(WIDE),
      narrow: draw(NARROW),
    };
  });
}

/** The widths the charts are drawn for: the page's column at 1280 px, and on a 390 px phone. */
const WIDE = 680;
const NARROW = 342;

declare const data: BenchData;
export { data };

export default {
  watch: ['../../bench/results/*.json'],
  load(watchedFiles: string[]): BenchData {
    const files = sortFiles(
      watchedFiles.map((file) => parseResults(file, readFileSync(file, 'utf8'))),
    );
    const drawn = charts(files);
    return {
      files,
      nodes: nodeVersions(files),
      headlines: headlines(files).map((headline) => {
        const chart = drawn.find((c) =>
          c.rowIds.includes(`${headline.suite}/${headline.resultId}`),
        );
        return chart === undefined ? headline : { ...headline, chartId: chart.id };
      }),
      pairs: pairHeadlines(files),
      charts: drawn,
    };
  },
} satisfies LoaderModule;
