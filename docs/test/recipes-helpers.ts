// Helpers for recipes.test.ts: run a recipe as a child process, read a page's expected output,
// and start a throwaway redis-server for the Redis recipe.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { get } from 'node:http';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { REDIS_SERVER, find } from './tools.js';

/** The docs/ folder: the cwd of every recipe, so `@corio/*` resolves through docs/node_modules. */
export const docsDir = fileURLToPath(new URL('..', import.meta.url));

// tsx would otherwise find the root tsconfig.json, whose `paths` map @corio/* to the sources:
// the recipes must run against the built packages, as a user's copy would.
const tsconfig = fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url));

/** How a recipe ended. */
export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runRecipe}. */
export interface RunOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /**
   * Called with the child and the stdout seen so far each time stdout grows: lets a test act
   * on what the recipe printed (connect to it, send it SIGINT).
   */
  onStdout?: (child: ChildProcess, stdout: string) => void;
  /** Kill the child if it runs longer than this (a hung recipe fails instead of hanging). */
  killAfterMs?: number;
}

/** Runs `node --import tsx recipes/<slug>.ts` with cwd docs/ and the test's own Node. */
export function runRecipe(slug: string, options: RunOptions = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `recipes/${slug}.ts`], {
      cwd: docsDir,
      env: {
        ...process.env,
        ...options.env,
        NODE_OPTIONS: '',
        NO_COLOR: '1',
        TSX_TSCONFIG_PATH: tsconfig,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(child, stdout);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
    }, options.killAfterMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(killer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The expected output of a recipe: the first ```text block after the page's `## Output` heading.
 * Returns undefined if the page has none.
 */
export function expectedOutput(page: string): string | undefined {
  const match = /^## Output\s*$[\s\S]*?^```text\n([\s\S]*?)^```$/m.exec(page);
  return match?.[1];
}

/**
 * What a recipe writes to stderr (debug mode's reports): the first ```text block after the
 * page's `## Standard error` heading. Undefined if the page has none: then it must write nothing.
 */
export function expectedStderr(page: string): string | undefined {
  const match = /^## Standard error\s*$[\s\S]*?^```text\n([\s\S]*?)^```$/m.exec(page);
  return match?.[1];
}

/**
 * A regular expression for a recipe's whole stdout (or stderr): the expected text verbatim,
 * except that `<port>` stands for any port number and `<…>` for any text within a line (a
 * duration, a path, a stack frame).
 */
export function outputPattern(expected: string): RegExp {
  const escaped = expected
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replaceAll('<port>', '\\d+')
    .replaceAll('<…>', '[^\\n]*');
  return new RegExp(`^${escaped}$`);
}

/** Slots for running at most `n` children at once (the machine has few cores). */
export function slots(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let free = n;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next === undefined) free++;
      else next();
    }
  };
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** An HTTP answer: its status and its body. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** GET `path` from 127.0.0.1:`port` over a connection of its own (no agent, no keep-alive). */
export function httpGet(port: number, path: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** Sends PING to a Redis server; resolves true on `+PONG`, false if it refused or answered otherwise. */
export function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A redis-server on a free port of 127.0.0.1, without persistence. */
export interface RedisServer {
  port: number;
  stop(): Promise<void>;
}

/** Starts redis-server and resolves once it answers PING (a handshake, not a sleep). */
export async function startRedis(binary = find(REDIS_SERVER)): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.on('error', (error) => (log += `${error.message}\n`));
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  // Until it answers: each failed attempt is a refused connection, retried on the next turn
  // of a short poll, for at most 10 s.
  const deadline = Date.now() + 10_000;
  while (!(await redisPing(port))) {
    if (child.exitCode !== null || child.pid === undefined || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${String(port)}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { port, stop };
}
