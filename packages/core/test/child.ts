import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../test/fixtures/${name}.ts`, import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// Programs still running when the file ends (after a failed test) are killed.
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** A fixture program run with `node --import tsx`; stdout lines can be waited for. */
export class Child {
  readonly #child;
  readonly exited: Promise<Exit>;
  #stdout = '';
  #stderr = '';
  #waiters: { text: string; resolve: () => void }[] = [];

  constructor(name: string, args: string[] = [], env: Record<string, string> = {}) {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    if (env.CORIO_DEBUG === undefined) delete childEnv.CORIO_DEBUG;
    this.#child = spawn(process.execPath, ['--import', 'tsx', fixture(name), ...args], {
      cwd: repoRoot,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stdout.setEncoding('utf8');
    this.#child.stderr.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => {
      this.#stdout += chunk;
      this.#waiters = this.#waiters.filter((w) => {
        if (!this.#stdout.includes(w.text)) return true;
        w.resolve();
        return false;
      });
    });
    this.#child.stderr.on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    const child = this.#child;
    running.add(child);
    this.exited = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        running.delete(child);
        resolve({ code, signal, stdout: this.#stdout, stderr: this.#stderr });
      });
    });
  }

  /** The program's process id. */
  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** What the program has printed on stdout so far. */
  get output(): string {
    return this.#stdout;
  }

  /** Resolves once stdout contains `text`; rejects if the program ends first. */
  async waitFor(text: string): Promise<void> {
    const seen = new Promise<void>((resolve) => {
      if (this.#stdout.includes(text)) resolve();
      else this.#waiters.push({ text, resolve });
    });
    const ended = this.exited.then((exit) => {
      if (!exit.stdout.includes(text)) {
        throw new Error(`program ended before printing ${JSON.stringify(text)}: ${show(exit)}`);
      }
    });
    await Promise.race([seen, ended]);
  }

  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }
}

export function show(exit: Exit): string {
  return `code=${String(exit.code)} signal=${String(exit.signal)}\n--- stdout\n${exit.stdout}--- stderr\n${exit.stderr}`;
}

export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** Runs a fixture to its end. */
export function runFixture(name: string, args: string[] = [], env: Record<string, string> = {}) {
  return new Child(name, args, env).exited;
}
