// Shared by the BullMQExecutor tests: the fixture jobs, a Redis client for handshakes with them,
// and child processes run from the TypeScript sources.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workerFunction } from '@corio/executor';
import { Redis } from 'ioredis';

const JOBS = new URL('./fixtures/jobs.js', import.meta.url);
export const add = workerFunction<(a: number, b: number) => number>(JOBS, 'add');
export const echo = workerFunction<(value: unknown) => unknown>(JOBS, 'echo');
export const fail = workerFunction<(message: string) => never>(JOBS, 'fail');
export const cooperative = workerFunction<(port: number, name: string) => Promise<void>>(
  JOBS,
  'cooperative',
);
export const stubborn = workerFunction<(port: number, name: string) => Promise<void>>(
  JOBS,
  'stubborn',
);
export const whoAmI = workerFunction<() => number>(JOBS, 'whoAmI');
export const counted = workerFunction<
  (
    port: number,
    key: string,
    value: number,
    options?: { spin?: number; mayBeVictim?: boolean },
  ) => Promise<number>
>(JOBS, 'counted');

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A test's own Redis client; `await using` quits it. */
export function testClient(port: number): Redis & AsyncDisposable {
  const client = new Redis({ host: '127.0.0.1', port }) as Redis & AsyncDisposable;
  client[Symbol.asyncDispose] = async () => {
    await client.quit();
  };
  return client;
}

/** Pops `key`, waiting for a job to push it (the handshake); fails after 15 s instead of hanging. */
export async function popWhenPushed(client: Redis, key: string): Promise<string> {
  const popped = await client.blpop(key, 15);
  if (popped === null) throw new Error(`nothing was pushed to ${key} within 15 s`);
  return popped[1];
}

/** `node --import tsx <file> ...args` from the repository, @corio/* from their sources. */
export function spawnTs(file: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '', TSX_TSCONFIG_PATH: `${repoRoot}tsconfig.json` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the child's stdout so far once it matches `pattern`; rejects if it exits first. */
export function stdoutMatching(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const onData = (chunk: string): void => {
      out += chunk;
      if (pattern.test(out)) {
        child.stdout?.off('data', onData);
        resolve(out);
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', (code, signal) => {
      reject(
        new Error(
          `exited (${String(code)}, ${String(signal)}) before ${String(pattern)}:\n${out}\n${err}`,
        ),
      );
    });
  });
}

/** The exit of a child: its code and signal, once it has ended. */
export function exitOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
}
export const die = workerFunction<(port: number, key: string) => Promise<void>>(JOBS, 'die');

/** All of a child's stderr, once it has closed. */
export function stderrOf(child: ChildProcess): Promise<string> {
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolve) => {
    child.once('close', () => {
      resolve(err);
    });
  });
}
