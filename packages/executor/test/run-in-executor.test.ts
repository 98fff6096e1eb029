import { run } from '@corio/core';
import { WorkerPoolExecutor, runInExecutor, toThread } from '@corio/executor';
import { currentDefaultPool } from '../src/run-in-executor.js';
import { describe, expect, it } from 'vitest';
import { runNode } from './helpers.js';

const INDEX = new URL('../src/index.ts', import.meta.url).pathname;

/** Runs an ES module snippet under `node --import tsx`; killed after 15 s if it hangs. */
function runChild(code: string): ReturnType<typeof runNode> {
  return runNode(['--import', 'tsx', '--input-type=module', '-e', code]);
}

describe('runInExecutor', () => {
  it('runs the function in the given pool', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    expect(await runInExecutor(pool, (a: number, b: number) => a - b, 5, 3)).toBe(2);
  });

  it('null and undefined use the default pool', async () => {
    expect(await runInExecutor(null, (s: string) => s.toUpperCase(), 'abc')).toBe('ABC');
    expect(await runInExecutor(undefined, (n: number) => n + 1, 1)).toBe(2);
  });
});

describe('toThread', () => {
  it('runs the function in a worker thread of the default pool', async () => {
    const id = await toThread(async () => (await import('node:worker_threads')).threadId);
    expect(id).toBeGreaterThan(0);
  });

  it('a program that used toThread exits by itself', async () => {
    const exit = await runChild(`
      const { toThread, runInExecutor } = await import(${JSON.stringify(INDEX)});
      console.log(await toThread((a, b) => a + b, 20, 22));
      console.log(await runInExecutor(null, () => 'default'));
    `);
    expect(exit.stderr).toBe('');
    expect(exit.stdout).toBe('42\ndefault\n');
    expect(exit.code).toBe(0);
  });

  it("is shut down by core's run() when main ends, and made anew on the next use", async () => {
    const first = await run(async () => {
      expect(await toThread(() => 'inside run')).toBe('inside run');
      return currentDefaultPool();
    });
    expect(first).toBeDefined();
    expect(currentDefaultPool()).toBeUndefined();
    expect(String(first)).toMatch(/shut ?down/i);
    expect(await toThread(() => 'after run')).toBe('after run');
    expect(currentDefaultPool()).not.toBe(first);
  });

  it('a job in flight keeps the process alive until its result arrives', async () => {
    const exit = await runChild(`
      const { toThread } = await import(${JSON.stringify(INDEX)});
      void toThread(() => {
        const end = Date.now() + 200;
        while (Date.now() < end);
        return 'late';
      }).then((v) => console.log(v));
    `);
    expect(exit.stdout).toBe('late\n');
    expect(exit.code).toBe(0);
  });
});
