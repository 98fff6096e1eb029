// Rounds of long-lived child processes, for the network benchmarks (bench/streams.ts and
// bench/http.ts). Each implementation runs in processes of its own, started once and kept warm;
// every round runs every implementation once, in a rotated order, so a change of machine speed
// during the run moves them all, and ratios are taken round by round (min, median, max), never
// between figures measured at different moments.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

export const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));
export const ROOT_DIR = fileURLToPath(new URL('../', import.meta.url));

/** A child process that speaks one JSON line per request on its stdout. */
export interface Child {
  /** Its first line: what it printed once ready (a server's `port`). */
  readonly info: Record<string, unknown>;
  /** Sends `line` on its stdin and resolves with the JSON line it answers. */
  request(line: string): Promise<Record<string, unknown>>;
  /** Closes its stdin and waits for it to exit. */
  stop(): Promise<void>;
}

/** A TypeScript module of bench/ run by Node through tsx, from the repository's root. */
export function tsxCommand(file: string, args: readonly string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', `${BENCH_DIR}${file}`, ...args]];
}

/**
 * Starts `command` and waits for its first line (JSON). A child that exits early rejects the
 * pending request with its exit code: a crashed implementation stops the bench, not hangs it.
 */
export async function startChild(command: string, args: readonly string[]): Promise<Child> {
  const child = spawn(command, args, { cwd: ROOT_DIR, stdio: ['pipe', 'pipe', 'inherit'] });
  const { stdin, stdout } = child;
  const lines = createInterface({ input: stdout });
  const waiting: ((line: string) => void)[] = [];
  let failure: Error | undefined;
  const failed: ((error: Error) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      failure = new Error(`${command} ${args.join(' ')} exited (${String(code ?? signal)})`);
      for (const reject of failed.splice(0)) reject(failure);
      resolve();
    });
  });
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      if (failure !== undefined) {
        reject(failure);
        return;
      }
      failed.push(reject);
      waiting.push((line) => {
        failed.splice(failed.indexOf(reject), 1);
        resolve(JSON.parse(line) as Record<string, unknown>);
      });
    });
  const info = await next();
  return {
    info,
    request: (line) => {
      stdin.write(`${line}\n`);
      return next();
    },
    stop: async () => {
      stdin.end();
      await exited;
    },
  };
}

/** `items` rotated by `round`: each item takes each position in turn across the rounds. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % Math.max(items.length, 1);
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Figures of several rounds: each round's value, and their min, median and max. */
export interface Spread {
  readonly rounds: readonly number[];
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** The spread of `rounds`. */
export function spread(rounds: readonly number[]): Spread {
  return { rounds, min: Math.min(...rounds), median: median(rounds), max: Math.max(...rounds) };
}

/** The ratio `a[i] / b[i]` of each round. */
export function ratios(a: readonly number[], b: readonly number[]): Spread {
  return spread(a.map((value, i) => value / (b[i] ?? Number.NaN)));
}

/** The 1-minute load average, for the record of each round. */
export function load1(): number {
  return Number((loadavg()[0] ?? 0).toFixed(2));
}

/** This process's CPU time so far (user + system), in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * In a server child: answers each `cpu` line on stdin with `{"cpuMs": N}` (this process's CPU
 * time so far: the orchestrator takes the difference around a run, a figure that contention
 * for the cores does not inflate the way it inflates wall time), and calls `close` once stdin
 * ends.
 */
export function answerCpu(close: () => Promise<void>): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'cpu') console.log(JSON.stringify({ cpuMs: cpuMs() }));
  });
  lines.once('close', () => {
    void close().then(() => process.exit(0));
  });
}
