// The @corio/streams benchmark: `pnpm bench:streams` (tsx bench/streams.ts).
//
// Each server runs in a process of its own (bench/streams-server.ts for Node,
// bench/streams_asyncio.py for CPython); this process is the client, the same raw node:net
// client for every server, and times each run from its first byte sent to its last byte back.
//   echo:  256 MiB in 64 KiB chunks, echoed (corio: readExactly/write/drain; raw: pipe)
//   lines: 1,000,000 lines of 16 bytes, echoed line by line (corio: readLine/write/drain)
// Prints a table with ratios and writes bench/results/streams-<node major>.json.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatNumber, measure, printTable } from './harness.js';
import { corioSource, machine, writeResults } from './provenance.js';
import type { Measurement } from './harness.js';

const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));
const ROOT_DIR = fileURLToPath(new URL('../', import.meta.url));

const MiB = 1024 * 1024;
const ECHO_BYTES = 256 * MiB;
const CHUNK = 64 * 1024;
const LINES = 1_000_000;
const LINE_LENGTH = 16;

type CaseId = 'echo' | 'lines';
type Unit = 'MB/s' | 'lines/s';

interface Variant {
  id: string;
  caseId: CaseId;
  label: string;
  /** How to start its server: a Node kind of streams-server.ts, or a Python mode. */
  server: { node: string } | { python: 'bytes' | 'lines' };
  vs?: string;
  vs2?: string;
  target?: { text: string; pass: (median: number, ratio: number | undefined) => boolean };
}

const VARIANTS: Variant[] = [
  {
    id: 'echo.raw',
    caseId: 'echo',
    label: 'node:net socket.pipe(socket)',
    server: { node: 'raw-pipe' },
  },
  {
    id: 'echo.corio',
    caseId: 'echo',
    label: 'corio readExactly/write/drain',
    server: { node: 'corio-bytes' },
    vs: 'echo.raw',
    vs2: 'echo.asyncio',
    target: { text: '≥ 0.8x raw', pass: (_m, ratio) => (ratio ?? 0) >= 0.8 },
  },
  {
    id: 'echo.asyncio',
    caseId: 'echo',
    label: 'CPython asyncio readexactly/write/drain',
    server: { python: 'bytes' },
    vs: 'echo.raw',
  },
  {
    id: 'lines.raw',
    caseId: 'lines',
    label: 'raw socket, split by hand',
    server: { node: 'raw-lines' },
  },
  {
    id: 'lines.readline',
    caseId: 'lines',
    label: "node:readline 'line' events",
    server: { node: 'readline-lines' },
    vs: 'lines.raw',
  },
  {
    id: 'lines.corio',
    caseId: 'lines',
    label: 'corio readLine/write/drain',
    server: { node: 'corio-lines' },
    vs: 'lines.readline',
    vs2: 'lines.asyncio',
    target: { text: '≥ 1M lines/s', pass: (median) => median >= 1e6 },
  },
  {
    id: 'lines.asyncio',
    caseId: 'lines',
    label: 'CPython asyncio readline/write/drain',
    server: { python: 'lines' },
    vs: 'lines.raw',
  },
];

const CASE_TITLES: Record<CaseId, string> = {
  echo: `echo: ${String(ECHO_BYTES / MiB)} MiB in ${String(CHUNK / 1024)} KiB chunks through the server (MB/s, higher is better)`,
  lines: `lines: ${formatNumber(LINES, 0)} lines of ${String(LINE_LENGTH)} bytes echoed line by line (lines/s, higher is better)`,
};

interface Result extends Measurement {
  id: string;
  caseId: CaseId;
  label: string;
  unit: Unit;
  vs?: string | undefined;
  vs2?: string | undefined;
  ratio?: number | undefined;
  ratio2?: number | undefined;
  target?: string | undefined;
  pass?: boolean | undefined;
}

// ---------------------------------------------------------------------------------------------
// Servers and the client.

interface RunningServer {
  port: number;
  stop: () => Promise<void>;
  info: Record<string, unknown>;
}

async function startServerProcess(variant: Variant): Promise<RunningServer> {
  const child: ChildProcess =
    'node' in variant.server
      ? spawn(
          process.execPath,
          ['--import', 'tsx', `${BENCH_DIR}streams-server.ts`, variant.server.node],
          {
            cwd: ROOT_DIR,
            stdio: ['pipe', 'pipe', 'inherit'],
          },
        )
      : spawn('python3', [`${BENCH_DIR}streams_asyncio.py`, variant.server.python], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const stdout = child.stdout;
  if (stdout === null || child.stdin === null) throw new Error('streams bench: no stdio');
  const lines = createInterface({ input: stdout });
  const first = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`${variant.id}: server exited with ${String(code)}`));
    });
    lines.once('line', resolve);
  });
  const info = JSON.parse(first) as { port: number } & Record<string, unknown>;
  const stdin = child.stdin;
  return {
    port: info.port,
    info,
    stop: async () => {
      stdin.end();
      await exited;
    },
  };
}

/**
 * Sends `payload` in 64 KiB chunks (respecting backpressure) and waits until as many bytes came
 * back. Returns the milliseconds from the first write to the last byte received.
 */
function echoRun(port: number, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let received = 0;
    let start = 0;
    socket.on('error', reject);
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= payload.length) {
        const ms = performance.now() - start;
        socket.end();
        socket.once('close', () => {
          resolve(ms);
        });
        socket.resume();
      }
    });
    socket.once('connect', () => {
      start = performance.now();
      let offset = 0;
      const pump = (): void => {
        while (offset < payload.length) {
          const chunk = payload.subarray(offset, offset + CHUNK);
          offset += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

function linesPayload(): Buffer {
  const payload = Buffer.alloc(LINES * LINE_LENGTH);
  for (let i = 0; i < LINES; i++) {
    payload.write(`line ${String(i).padStart(LINE_LENGTH - 6, '0')}\n`, i * LINE_LENGTH, 'latin1');
  }
  return payload;
}

async function measureVariant(variant: Variant, payloads: Record<CaseId, Buffer>): Promise<Result> {
  const server = await startServerProcess(variant);
  const payload = payloads[variant.caseId];
  const unit: Unit = variant.caseId === 'echo' ? 'MB/s' : 'lines/s';
  try {
    const m = await measure(
      async () => {
        const ms = await echoRun(server.port, payload);
        return variant.caseId === 'echo' ? payload.length / 1e6 / (ms / 1000) : LINES / (ms / 1000);
      },
      { warmup: 1, runs: 5 },
    );
    return {
      ...m,
      id: variant.id,
      caseId: variant.caseId,
      label: variant.label,
      unit,
      vs: variant.vs,
      vs2: variant.vs2,
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting (the shape of bench/results/<major>.json).

function formatValue(value: number, unit: Unit): string {
  return unit === 'MB/s' ? formatNumber(value, 0) : formatNumber(value, 0);
}

function report(results: readonly Result[]): void {
  const header = [
    'case / variant',
    'median',
    'min–max',
    'unit',
    'ratio',
    'vs',
    'ratio 2',
    'vs 2',
    'target',
  ];
  for (const caseId of Object.keys(CASE_TITLES) as CaseId[]) {
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
        r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
        r.vs ?? '',
        r.ratio2 === undefined ? '' : `${r.ratio2.toFixed(2)}x`,
        r.vs2 ?? '',
        r.target === undefined ? '' : `${r.target} ${r.pass === true ? 'PASS' : 'FAIL'}`,
      ]),
    );
  }
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const selected =
    requested.length === 0
      ? VARIANTS
      : VARIANTS.filter((v) => requested.includes(v.id) || requested.includes(v.caseId));
  if (selected.length === 0) {
    throw new RangeError(
      `bench:streams: nothing matches ${requested.join(', ')}; ids: ${VARIANTS.map((v) => v.id).join(', ')}`,
    );
  }
  const info = machine();
  const source = await corioSource(['core', 'streams']);
  console.log(
    `corio streams bench — Node ${String(info.node)} (V8 ${String(info.v8)}), ${String(info.platform)}\n` +
      `${String(info.cpu)}, ${String(info.cores)} cores, ${String(info.memoryGiB)} GiB, ` +
      `load ${String(info.loadavg)}\ncorio ${source.commit} (src ${source.srcDigest}); ` +
      'server in a child process, raw node:net client; medians of 5 runs after a warm-up',
  );
  const payloads: Record<CaseId, Buffer> = {
    echo: Buffer.alloc(ECHO_BYTES, 'corio streams benchmark '),
    lines: linesPayload(),
  };
  const started = performance.now();
  const results: Result[] = [];
  for (const variant of selected) {
    const t0 = performance.now();
    results.push(await measureVariant(variant, payloads));
    process.stderr.write(
      `  ${variant.id.padEnd(16)} ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const r of results) {
    const variant = VARIANTS.find((v) => v.id === r.id);
    const base = r.vs === undefined ? undefined : byId.get(r.vs);
    r.ratio = base === undefined ? undefined : r.median / base.median;
    const base2 = r.vs2 === undefined ? undefined : byId.get(r.vs2);
    r.ratio2 = base2 === undefined ? undefined : r.median / base2.median;
    r.target = variant?.target?.text;
    r.pass = variant?.target?.pass(r.median, r.ratio);
  }
  report(results);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nratio = median ÷ median of the "vs" row (higher is better here); total ${seconds.toFixed(1)} s`,
  );

  if (requested.length === 0) {
    const json = { machine: info, corio: source, seconds, results };
    console.log(`wrote ${await writeResults('streams-', json)}`);
  }
}

await main();
