// The HTTP/1.1 keep-alive hello benchmark: `pnpm bench:http [id…] [--rounds N] [--duration S]
// [--base <src>]`.
//
// Four servers, each in a process of its own started once and kept warm (bench/http-server.ts:
// corio streams, node:http, a raw node:net parser; bench/http_asyncio.py: CPython asyncio
// streams, without uvloop, which is not installed here), loaded in turn by autocannon
// (bench/http-load.ts, in a process of its own) with 50 connections for `--duration` seconds. Each round loads every
// server once, in a rotated order; ratios are taken round by round and quoted as
// min/median/max, with the load average of each round. Besides req/s and p99 latency, each
// server's CPU time per request (microseconds, from its own process.cpuUsage/process_time):
// contention for the cores inflates wall-clock figures much more than it does that.
// `--base <path to another packages/streams/src/index.ts>` adds that build of corio as a fifth
// server: before/after figures as ratios of the same rounds.
// Prints a table and, for a full run, writes bench/results/http-<node major>.json.
import { spawn } from 'node:child_process';
import { formatNumber, printTable } from './harness.js';
import { corioSource, machine, writeResults } from './provenance.js';
import {
  BENCH_DIR,
  ROOT_DIR,
  load1,
  ratios,
  rotate,
  spread,
  startChild,
  tsxCommand,
} from './streams-rounds.js';
import type { Child, Spread } from './streams-rounds.js';

const CONNECTIONS = 50;

interface Server {
  id: string;
  label: string;
  command: (base: string | undefined) => [string, string[]];
}

const SERVERS: Server[] = [
  {
    id: 'corio',
    label: "corio startServer + readUntil('\\r\\n\\r\\n') + write/drain",
    command: () => tsxCommand('http-server.ts', ['corio']),
  },
  {
    id: 'base',
    label: 'corio --base, the same handler',
    command: (base) => tsxCommand('http-server.ts', ['corio', base ?? '']),
  },
  {
    id: 'node-http',
    label: 'node:http',
    command: () => tsxCommand('http-server.ts', ['node-http']),
  },
  {
    id: 'raw',
    label: 'node:net, minimal parser',
    command: () => tsxCommand('http-server.ts', ['raw']),
  },
  {
    id: 'asyncio',
    label: 'CPython asyncio streams (no uvloop)',
    command: () => ['python3', [`${BENCH_DIR}http_asyncio.py`]],
  },
];

interface RatioSpec {
  id: string;
  of: string;
  to: string;
  figure: 'rps' | 'p99' | 'cpu';
  goal?: { text: string; pass: (ratio: Spread) => boolean };
}

const RATIOS: RatioSpec[] = [
  {
    id: 'req/s corio / raw',
    of: 'corio',
    to: 'raw',
    figure: 'rps',
    goal: { text: '≥ 0.9', pass: (r) => r.median >= 0.9 },
  },
  { id: 'req/s corio / node:http', of: 'corio', to: 'node-http', figure: 'rps' },
  { id: 'req/s corio / asyncio', of: 'corio', to: 'asyncio', figure: 'rps' },
  { id: 'req/s corio / base', of: 'corio', to: 'base', figure: 'rps' },
  {
    id: 'p99 corio / node:http',
    of: 'corio',
    to: 'node-http',
    figure: 'p99',
    goal: { text: '≤ 1', pass: (r) => r.median <= 1 },
  },
  { id: 'p99 corio / raw', of: 'corio', to: 'raw', figure: 'p99' },
  { id: 'p99 corio / base', of: 'corio', to: 'base', figure: 'p99' },
  { id: 'CPU per request corio / raw', of: 'corio', to: 'raw', figure: 'cpu' },
  { id: 'CPU per request corio / base', of: 'corio', to: 'base', figure: 'cpu' },
];

/** One load run against `port` (bench/http-load.ts, in a process of its own): its figures. */
function load(port: number, seconds: number): Promise<Record<string, number>> {
  const [command, args] = tsxCommand('http-load.ts', [
    String(port),
    String(seconds),
    String(CONNECTIONS),
  ]);
  const child = spawn(command, args, { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => (out += data));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as Record<string, number>);
      else reject(new Error(`http-load exited with ${String(code)}`));
    });
  });
}

interface Figures {
  rps: number[];
  p99: number[];
  cpu: number[];
  errors: number;
}

/** Loads each of `servers` once for `seconds`; records the figures unless `seconds` is a warm-up. */
async function measureRound(
  servers: readonly Server[],
  state: { children: Map<string, Child>; figures: Map<string, Figures> },
  seconds: number,
  counted: boolean,
): Promise<void> {
  const { children, figures } = state;
  for (const server of servers) {
    const child = children.get(server.id);
    const f = figures.get(server.id);
    if (child === undefined || f === undefined) continue;
    const before = Number((await child.request('cpu')).cpuMs);
    const report = await load(Number(child.info.port), seconds);
    const after = Number((await child.request('cpu')).cpuMs);
    if (!counted) continue;
    const total = Number(report.total);
    f.rps.push(total / seconds);
    f.p99.push(Number(report.p99));
    f.cpu.push(((after - before) * 1000) / total);
    f.errors += Number(report.errors);
  }
}

function parseArgs(argv: readonly string[]): {
  only: string[];
  rounds: number;
  seconds: number;
  base?: string;
} {
  const only: string[] = [];
  let rounds = 5;
  let seconds = 5;
  let base: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--rounds') rounds = Number(argv[++i]);
    else if (arg === '--duration') seconds = Number(argv[++i]);
    else if (arg === '--base') base = argv[++i];
    else only.push(arg);
  }
  for (const [name, value] of [
    ['--rounds', rounds],
    ['--duration', seconds],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `bench:http: ${name} must be a positive integer, received ${String(value)}`,
      );
    }
  }
  return base === undefined ? { only, rounds, seconds } : { only, rounds, seconds, base };
}

async function main(): Promise<void> {
  const { only, rounds, seconds, base } = parseArgs(process.argv.slice(2));
  const servers = SERVERS.filter(
    (s) => (base !== undefined || s.id !== 'base') && (only.length === 0 || only.includes(s.id)),
  );
  if (servers.length === 0) {
    throw new RangeError(
      `bench:http: nothing matches ${only.join(', ')}; ids: ${SERVERS.map((s) => s.id).join(', ')}`,
    );
  }
  const info = machine();
  const source = await corioSource(['core', 'streams']);
  console.log(
    `corio HTTP bench — Node ${String(info.node)} (V8 ${String(info.v8)}), ${String(info.platform)}\n` +
      `${String(info.cpu)}, ${String(info.cores)} cores, load ${String(info.loadavg)}\n` +
      `corio ${source.commit} (src ${source.srcDigest})${base === undefined ? '' : `, base ${base}`}; ` +
      `autocannon -c ${String(CONNECTIONS)} -d ${String(seconds)}, ${String(rounds)} rounds ` +
      'after a warm-up, each server once per round',
  );
  const started = performance.now();
  const children = new Map<string, Child>();
  const figures = new Map(servers.map((s) => [s.id, { rps: [], p99: [], cpu: [], errors: 0 }]));
  const load: number[] = [];
  let python: unknown;
  try {
    for (const server of servers) {
      const child = await startChild(...server.command(base));
      children.set(server.id, child);
      if (server.id === 'asyncio') python = child.info.python;
    }
    for (let round = 0; round <= rounds; round++) {
      // Round 0 is a warm-up (JIT, connections), shorter and not counted.
      await measureRound(
        rotate(servers, round),
        { children, figures },
        round === 0 ? 2 : seconds,
        round > 0,
      );
      if (round > 0) load.push(load1());
      process.stderr.write(`  round ${String(round)}${round === 0 ? ' (warm-up)' : ''}\n`);
    }
  } finally {
    for (const child of children.values()) await child.stop();
  }

  console.log(
    `\nHTTP/1.1 keep-alive hello, ${String(CONNECTIONS)} connections (load per round ${load.join(' ')})`,
  );
  const results = [];
  const rows = [];
  for (const server of servers) {
    const f = figures.get(server.id);
    if (f === undefined) continue;
    const rps = spread(f.rps);
    const p99 = spread(f.p99);
    const cpu = spread(f.cpu);
    results.push({
      id: server.id,
      label: server.label,
      rps,
      p99Ms: p99,
      cpuUsPerRequest: cpu,
      errors: f.errors,
    });
    rows.push([
      `  ${server.label}`,
      formatNumber(rps.median, 0),
      `${formatNumber(rps.min, 0)}–${formatNumber(rps.max, 0)}`,
      `${p99.median.toFixed(2)} (${p99.min.toFixed(2)}–${p99.max.toFixed(2)})`,
      `${cpu.median.toFixed(2)} (${cpu.min.toFixed(2)}–${cpu.max.toFixed(2)})`,
      String(f.errors),
    ]);
  }
  printTable(['server', 'req/s median', 'min–max', 'p99 ms', 'server CPU µs/req', 'errors'], rows);

  const ratioResults = [];
  const ratioRows = [];
  for (const spec of RATIOS) {
    const of = figures.get(spec.of);
    const to = figures.get(spec.to);
    if (of === undefined || to === undefined) continue;
    const r = ratios(of[spec.figure], to[spec.figure]);
    const pass = spec.goal?.pass(r);
    ratioResults.push({ ...spec, goal: spec.goal?.text, pass, ...r });
    ratioRows.push([
      `  ${spec.id}`,
      r.median.toFixed(2),
      `${r.min.toFixed(2)}–${r.max.toFixed(2)}`,
      r.rounds.map((x) => x.toFixed(2)).join(' '),
      spec.goal === undefined ? '' : `${spec.goal.text} ${pass === true ? 'PASS' : 'FAIL'}`,
    ]);
  }
  console.log('\nratios, round by round');
  printTable(['ratio', 'median', 'min–max', 'rounds', 'goal'], ratioRows);
  const seconds_ = (performance.now() - started) / 1000;
  const end = machine();
  console.log(`\nload at the end ${String(end.loadavg)}; total ${seconds_.toFixed(1)} s`);
  if (only.length === 0) {
    const json = {
      machine: { ...info, loadavgEnd: end.loadavg, python },
      corio: source,
      base,
      load: { connections: CONNECTIONS, seconds, tool: 'autocannon 9.0.0' },
      rounds,
      seconds: seconds_,
      loadPerRound: load,
      results,
      ratios: ratioResults,
    };
    console.log(`wrote ${await writeResults('http-', json)}`);
  }
}

await main();
