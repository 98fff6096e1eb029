// The @corio/streams benchmark: `pnpm bench:streams [case or id…] [--rounds N] [--base <src>]`.
//
// Every implementation runs in processes of its own, started once and kept warm: a server
// (bench/streams-server.ts for Node, bench/streams_asyncio.py for CPython) and a client
// (bench/streams-client.ts), which times each run from its first byte sent to its last byte
// back. Each round runs every implementation of a case once, in a rotated order; ratios are
// taken round by round and quoted as min/median/max, with the load average of each round.
//   echo:  256 MiB in 64 KiB chunks, echoed (corio: readExactly/write/drain, and read/write/drain;
//          raw: pipe)
//   lines: 1,000,000 lines of 16 bytes, echoed line by line (corio: readLine/write/drain; raw:
//          split by hand, one cork per chunk)
// `--base <path to another packages/streams/src/index.ts>` adds that build of corio, at both
// ends, to every case: before/after figures as ratios of the same rounds.
// Prints a table and, for a full run, writes bench/results/streams-<node major>.json.
import { formatNumber, printTable } from './harness.js';
import { corioSource, machine, writeResults } from './provenance.js';
import { ECHO_BYTES, LINES } from './streams-payload.js';
import {
  BENCH_DIR,
  load1,
  ratios,
  rotate,
  spread,
  startChild,
  tsxCommand,
} from './streams-rounds.js';
import type { Child, Spread } from './streams-rounds.js';

type CaseId = 'echo' | 'lines';

interface Variant {
  id: string;
  caseId: CaseId;
  label: string;
  /** A Node kind of streams-server.ts, or a Python mode of streams_asyncio.py. */
  server: { node: string; base?: boolean } | { python: 'bytes' | 'lines' };
  client: 'raw' | 'corio' | 'corio-chunks' | 'corio-base';
}

interface RatioSpec {
  id: string;
  of: string;
  to: string;
  goal?: { text: string; pass: (ratio: Spread) => boolean };
}

const VARIANTS: Variant[] = [
  {
    id: 'echo.raw',
    caseId: 'echo',
    label: 'node:net pipe, raw client',
    server: { node: 'raw-pipe' },
    client: 'raw',
  },
  {
    id: 'echo.corio',
    caseId: 'echo',
    label: 'corio at both ends (readExactly/write/drain)',
    server: { node: 'corio-bytes' },
    client: 'corio',
  },
  {
    id: 'echo.corio-chunks',
    caseId: 'echo',
    label: 'corio at both ends (read/write/drain)',
    server: { node: 'corio-chunks' },
    client: 'corio-chunks',
  },
  {
    id: 'echo.base',
    caseId: 'echo',
    label: 'corio --base at both ends',
    server: { node: 'corio-bytes', base: true },
    client: 'corio-base',
  },
  {
    id: 'echo.corio-server',
    caseId: 'echo',
    label: 'corio server, raw client',
    server: { node: 'corio-bytes' },
    client: 'raw',
  },
  {
    id: 'echo.asyncio',
    caseId: 'echo',
    label: 'CPython asyncio server, raw client',
    server: { python: 'bytes' },
    client: 'raw',
  },
  {
    id: 'lines.raw',
    caseId: 'lines',
    label: 'raw split by hand, corked, raw client',
    server: { node: 'raw-lines' },
    client: 'raw',
  },
  {
    id: 'lines.readline',
    caseId: 'lines',
    label: "node:readline 'line' events, raw client",
    server: { node: 'readline-lines' },
    client: 'raw',
  },
  {
    id: 'lines.corio',
    caseId: 'lines',
    label: 'corio at both ends (readLine/write/drain)',
    server: { node: 'corio-lines' },
    client: 'corio',
  },
  {
    id: 'lines.base',
    caseId: 'lines',
    label: 'corio --base at both ends',
    server: { node: 'corio-lines', base: true },
    client: 'corio-base',
  },
  {
    id: 'lines.corio-server',
    caseId: 'lines',
    label: 'corio server, raw client',
    server: { node: 'corio-lines' },
    client: 'raw',
  },
  {
    id: 'lines.asyncio',
    caseId: 'lines',
    label: 'CPython asyncio server, raw client',
    server: { python: 'lines' },
    client: 'raw',
  },
];

const RATIOS: RatioSpec[] = [
  {
    id: 'echo: corio / raw',
    of: 'echo.corio',
    to: 'echo.raw',
    goal: { text: '≥ 0.9', pass: (r) => r.median >= 0.9 },
  },
  { id: 'echo: corio read() / raw', of: 'echo.corio-chunks', to: 'echo.raw' },
  { id: 'echo: corio / base', of: 'echo.corio', to: 'echo.base' },
  { id: 'echo: corio server / asyncio server', of: 'echo.corio-server', to: 'echo.asyncio' },
  { id: 'lines: corio / raw', of: 'lines.corio', to: 'lines.raw' },
  { id: 'lines: corio / base', of: 'lines.corio', to: 'lines.base' },
  { id: 'lines: corio server / asyncio server', of: 'lines.corio-server', to: 'lines.asyncio' },
];

const CASES: Record<CaseId, { title: string; unit: string; value: (ms: number) => number }> = {
  echo: {
    title: `echo: ${String(ECHO_BYTES / 2 ** 20)} MiB in 64 KiB chunks through the server`,
    unit: 'MB/s',
    value: (ms) => ECHO_BYTES / 1e6 / (ms / 1000),
  },
  lines: {
    title: `lines: ${formatNumber(LINES, 0)} lines of 16 bytes echoed line by line`,
    unit: 'lines/s',
    value: (ms) => LINES / (ms / 1000),
  },
};

async function startVariant(variant: Variant, base: string | undefined): Promise<Child[]> {
  const { server: spec } = variant;
  const server =
    'python' in spec
      ? await startChild('python3', [`${BENCH_DIR}streams_asyncio.py`, spec.python])
      : await startChild(
          ...tsxCommand('streams-server.ts', [
            spec.node,
            ...(spec.base === true && base !== undefined ? [base] : []),
          ]),
        );
  const port = String(server.info.port);
  const clientArgs =
    variant.client === 'corio-base' && base !== undefined
      ? ['corio', variant.caseId, port, base]
      : [variant.client, variant.caseId, port];
  const client = await startChild(...tsxCommand('streams-client.ts', clientArgs));
  return [server, client];
}

interface CaseResult {
  /** Each variant's throughput per round (units per second of wall time). */
  variants: Map<string, number[]>;
  /** Each variant's units per CPU second (server and client together) per round. */
  perCpu: Map<string, number[]>;
  load: number[];
}

async function runCase(
  caseId: CaseId,
  variants: readonly Variant[],
  rounds: number,
  base: string | undefined,
): Promise<CaseResult> {
  const children = new Map<string, Child[]>();
  for (const variant of variants) children.set(variant.id, await startVariant(variant, base));
  const figures = new Map(variants.map((v) => [v.id, [] as number[]]));
  const perCpu = new Map(variants.map((v) => [v.id, [] as number[]]));
  const load: number[] = [];
  const { value } = CASES[caseId];
  try {
    // Round 0 is a warm-up for every implementation (JIT, socket buffers), not counted.
    for (let round = 0; round <= rounds; round++) {
      for (const variant of rotate(variants, round)) {
        const [server, client] = children.get(variant.id) ?? [];
        if (server === undefined || client === undefined) continue;
        const before = Number((await server.request('cpu')).cpuMs);
        const answer = await client.request('run');
        const after = Number((await server.request('cpu')).cpuMs);
        if (round === 0) continue;
        const cpu = after - before + Number(answer.cpuMs);
        figures.get(variant.id)?.push(value(Number(answer.ms)));
        perCpu.get(variant.id)?.push(value(cpu));
      }
      if (round > 0) load.push(load1());
      process.stderr.write(
        `  ${caseId} round ${String(round)}${round === 0 ? ' (warm-up)' : ''}\n`,
      );
    }
  } finally {
    for (const pair of children.values()) for (const child of pair) await child.stop();
  }
  return { variants: figures, perCpu, load };
}

function parseArgs(argv: readonly string[]): { only: string[]; rounds: number; base?: string } {
  const only: string[] = [];
  let rounds = 7;
  let base: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--rounds') rounds = Number(argv[++i]);
    else if (arg === '--base') base = argv[++i];
    else only.push(arg);
  }
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(
      `bench:streams: --rounds must be a positive integer, received ${String(rounds)}`,
    );
  }
  return base === undefined ? { only, rounds } : { only, rounds, base };
}

async function main(): Promise<void> {
  const { only, rounds, base } = parseArgs(process.argv.slice(2));
  const selected = VARIANTS.filter(
    (v) =>
      (base !== undefined || !v.id.endsWith('.base')) &&
      (only.length === 0 || only.includes(v.id) || only.includes(v.caseId)),
  );
  if (selected.length === 0) {
    throw new RangeError(
      `bench:streams: nothing matches ${only.join(', ')}; ids: ${VARIANTS.map((v) => v.id).join(', ')}`,
    );
  }
  const info = machine();
  const source = await corioSource(['core', 'streams']);
  console.log(
    `corio streams bench — Node ${String(info.node)} (V8 ${String(info.v8)}), ${String(info.platform)}\n` +
      `${String(info.cpu)}, ${String(info.cores)} cores, load ${String(info.loadavg)}\n` +
      `corio ${source.commit} (src ${source.srcDigest})${base === undefined ? '' : `, base ${base}`}; ` +
      `${String(rounds)} rounds after a warm-up, each implementation once per round`,
  );
  const started = performance.now();
  const results = [];
  const ratioResults = [];
  const loads: Record<string, number[]> = {};
  const byId = new Map<string, { wall: number[]; cpu: number[] }>();
  for (const caseId of Object.keys(CASES) as CaseId[]) {
    const variants = selected.filter((v) => v.caseId === caseId);
    if (variants.length === 0) continue;
    const result = await runCase(caseId, variants, rounds, base);
    loads[caseId] = result.load;
    const { title, unit } = CASES[caseId];
    console.log(`\n${title} (higher is better; load per round ${result.load.join(' ')})`);
    const rows = [];
    for (const variant of variants) {
      const wall = result.variants.get(variant.id) ?? [];
      const cpu = result.perCpu.get(variant.id) ?? [];
      byId.set(variant.id, { wall, cpu });
      const s = spread(wall);
      const c = spread(cpu);
      results.push({ id: variant.id, caseId, label: variant.label, unit, ...s, perCpuSecond: c });
      rows.push([
        `  ${variant.label}`,
        formatNumber(s.median, 0),
        `${formatNumber(s.min, 0)}–${formatNumber(s.max, 0)}`,
        formatNumber(c.median, 0),
        `${formatNumber(c.min, 0)}–${formatNumber(c.max, 0)}`,
      ]);
    }
    printTable(['implementation', `${unit} median`, 'min–max', `per CPU s`, 'min–max'], rows);
  }
  const rows = [];
  for (const spec of RATIOS) {
    const of = byId.get(spec.of);
    const to = byId.get(spec.to);
    if (of === undefined || to === undefined) continue;
    const r = ratios(of.wall, to.wall);
    const c = ratios(of.cpu, to.cpu);
    const pass = spec.goal?.pass(r);
    ratioResults.push({ ...spec, goal: spec.goal?.text, pass, ...r, perCpuSecond: c });
    rows.push([
      `  ${spec.id}`,
      r.median.toFixed(2),
      `${r.min.toFixed(2)}–${r.max.toFixed(2)}`,
      r.rounds.map((x) => x.toFixed(2)).join(' '),
      `${c.median.toFixed(2)} (${c.min.toFixed(2)}–${c.max.toFixed(2)})`,
      spec.goal === undefined ? '' : `${spec.goal.text} ${pass === true ? 'PASS' : 'FAIL'}`,
    ]);
  }
  console.log('\nratios, round by round (throughput; and per CPU second, server and client)');
  printTable(['ratio', 'median', 'min–max', 'rounds', 'per CPU s', 'goal'], rows);
  const seconds = (performance.now() - started) / 1000;
  const end = machine();
  console.log(`\nload at the end ${String(end.loadavg)}; total ${seconds.toFixed(1)} s`);
  if (only.length === 0) {
    const json = {
      machine: { ...info, loadavgEnd: end.loadavg },
      corio: source,
      base,
      rounds,
      seconds,
      loadPerRound: loads,
      results,
      ratios: ratioResults,
    };
    console.log(`wrote ${await writeResults('streams-', json)}`);
  }
}

await main();
