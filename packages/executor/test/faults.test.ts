// Faults never crash the caller: options are checked at construction, process flags a worker
// cannot take are not passed on, a worker that cannot start fails the job that needed it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARE_ENV } from 'node:worker_threads';
import { CancelledError, TimeoutError, isCancelledError, isTimeoutError } from '@corio/core';
import { WorkerPoolExecutor, workerFunction } from '@corio/executor';
import type { WorkerPoolExecutorOptions } from '@corio/executor';
import { describe, expect, it } from 'vitest';
import { runNode } from './helpers.js';

const INDEX = new URL('../src/index.ts', import.meta.url).pathname;
const JOBS = new URL('./fixtures/jobs.js', import.meta.url);

/**
 * A program that runs `before` (code that may use WorkerPoolExecutor), then two jobs on a pool
 * made with `options`, and prints what became of them.
 */
function program(options: string, before = ''): string {
  return `
    import { WorkerPoolExecutor } from ${JSON.stringify(INDEX)};
    ${before}
    const pool = new WorkerPoolExecutor(${options});
    for (const n of [1, 2]) {
      try {
        console.log('ok', await pool.submit((x) => x * 10, n));
      } catch (error) {
        console.log(error.name, error.message);
      }
    }
    await pool.shutdown();
  `;
}

describe('options are checked at construction', () => {
  const cases: [string, unknown, ErrorConstructor, RegExp][] = [
    [
      'maxWorkers',
      { maxWorkers: 0 },
      RangeError,
      /'maxWorkers' must be a positive integer, received 0/,
    ],
    [
      'idleTimeoutMs',
      { idleTimeoutMs: -1 },
      RangeError,
      /'idleTimeoutMs' must be a non-negative number, received -1/,
    ],
    [
      'idleTimeoutMs type',
      { idleTimeoutMs: '5' },
      TypeError,
      /'idleTimeoutMs' must be a number, received "5"/,
    ],
    [
      'cancelGraceMs',
      { cancelGraceMs: Number.NaN },
      RangeError,
      /'cancelGraceMs' must be a non-negative number, received NaN/,
    ],
    [
      'maxJobsPerWorker',
      { maxJobsPerWorker: 1.5 },
      RangeError,
      /'maxJobsPerWorker' must be a positive integer or Infinity, received 1.5/,
    ],
    [
      'maxHeapUsedMb',
      { maxHeapUsedMb: 0 },
      RangeError,
      /'maxHeapUsedMb' must be a positive number, received 0/,
    ],
    [
      'execArgv',
      { execArgv: '--inspect' },
      TypeError,
      /'execArgv' must be an array of strings, received "--inspect"/,
    ],
    [
      'execArgv items',
      { execArgv: [1] },
      TypeError,
      /'execArgv' must be an array of strings, received an array/,
    ],
    [
      'env',
      { env: 'nope' },
      TypeError,
      /'env' must be an object of strings or SHARE_ENV, received "nope"/,
    ],
    [
      'resourceLimits',
      { resourceLimits: 64 },
      TypeError,
      /'resourceLimits' must be an object, received 64/,
    ],
    [
      'resourceLimits key',
      { resourceLimits: { maxOldSpaceMb: 64 } },
      TypeError,
      /unknown 'resourceLimits.maxOldSpaceMb'/,
    ],
    [
      'resourceLimits value',
      { resourceLimits: { stackSizeMb: -4 } },
      RangeError,
      /'resourceLimits.stackSizeMb' must be a positive number, received -4/,
    ],
    [
      'an unknown option',
      { maxWorker: 2 },
      TypeError,
      /unknown option 'maxWorker' \(known: maxWorkers, /,
    ],
    ['options', null, TypeError, /'options' must be an object, received null/],
  ];
  it.each(cases)('%s', (_, options, type, message) => {
    const make = () => new WorkerPoolExecutor(options as WorkerPoolExecutorOptions);
    expect(make).toThrow(type);
    expect(make).toThrow(/^Cannot create WorkerPoolExecutor: /);
    expect(make).toThrow(message);
  });

  it('accepts SHARE_ENV, Infinity limits and a full resourceLimits', async () => {
    await using pool = new WorkerPoolExecutor({
      maxWorkers: 1,
      env: SHARE_ENV,
      cancelGraceMs: Infinity,
      maxJobsPerWorker: Infinity,
      maxHeapUsedMb: Infinity,
      resourceLimits: { maxOldGenerationSizeMb: 64, stackSizeMb: 4 },
    });
    expect(await pool.submit(() => process.env.HOME !== undefined)).toBe(true);
  });
});

describe('process flags and workers that cannot start', () => {
  it.each([['--max-old-space-size=4096'], ['--expose-gc'], ['--stack-size=2000']])(
    'under node %s with -e, jobs run and the process exits 0',
    async (flag) => {
      const result = await runNode([
        flag,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        program('{ maxWorkers: 1 }'),
      ]);
      expect(result).toEqual({ code: 0, stdout: 'ok 10\nok 20\n', stderr: '' });
    },
  );

  it('under node --max-old-space-size --expose-gc with a file, jobs run and the process exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corio-flags-'));
    try {
      const file = join(dir, 'main.mjs');
      writeFileSync(file, program('{ maxWorkers: 1 }'));
      const result = await runNode([
        '--max-old-space-size=4096',
        '--expose-gc',
        '--import',
        'tsx',
        file,
      ]);
      expect(result).toEqual({ code: 0, stdout: 'ok 10\nok 20\n', stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an execArgv Node refuses fails each job with BrokenWorkerError; the process exits 0', async () => {
    const result = await runNode([
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      program("{ maxWorkers: 1, execArgv: ['--bad-flag'] }"),
    ]);
    const line =
      "BrokenWorkerError Cannot start a worker for 'anonymous': Error: Initiated Worker with invalid execArgv flags: --bad-flag";
    expect(result).toEqual({ code: 0, stdout: `${line}\n${line}\n`, stderr: '' });
  });

  it("a bad 'env' is a TypeError from the constructor: caught, a good pool runs and the process exits 0", async () => {
    const result = await runNode([
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      program(
        '{ maxWorkers: 1 }',
        `try {
          new WorkerPoolExecutor({ env: 'nope' });
        } catch (error) {
          console.log(error.name, error.message);
        }`,
      ),
    ]);
    const line = `TypeError Cannot create WorkerPoolExecutor: 'env' must be an object of strings or SHARE_ENV, received "nope"`;
    expect(result).toEqual({ code: 0, stdout: `${line}\nok 10\nok 20\n`, stderr: '' });
  });

  it('a worker whose preload throws fails the jobs sent to it, without retrying forever', async () => {
    await using pool = new WorkerPoolExecutor({
      maxWorkers: 1,
      execArgv: ['--import', 'data:text/javascript,throw new Error("preload failed")'],
    });
    const errors = (await Promise.all(
      [1, 2].map((n) => pool.submit((x: number) => x, n).catch((e: unknown) => e)),
    )) as Error[];
    for (const error of errors) {
      expect(error.name).toBe('BrokenWorkerError');
      expect(error.message).toMatch(/^Cannot start a worker for 'anonymous': it /);
    }
    expect(pool.stats().failed).toBe(2);
  });

  it('with a good pool beside it, a bad one does not stop the process or the other pool', async () => {
    await using bad = new WorkerPoolExecutor({ maxWorkers: 1, execArgv: ['--bad-flag'] });
    await using good = new WorkerPoolExecutor({ maxWorkers: 1 });
    await expect(bad.submit(() => 1)).rejects.toThrow(/invalid execArgv flags: --bad-flag/);
    expect(await good.submit(() => 2)).toBe(2);
  });
});

describe('error brands survive the thread hop', () => {
  it("corio's TimeoutError thrown in a worker is one here, by class and by brand", async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const timesOut = workerFunction<() => Promise<void>>(JOBS, 'timesOut');
    const error = await pool.submit(timesOut).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isTimeoutError(error)).toBe(true);
    expect(isCancelledError((error as Error).cause)).toBe(true);
  });

  it('an error carrying a corio brand keeps it, whatever its class', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const error = await pool
      .submit(() => {
        const e = new Error('stopped by hand');
        Object.defineProperty(e, Symbol.for('corio.CancelledError'), { value: true });
        throw e;
      })
      .catch((e: unknown) => e);
    expect(isCancelledError(error)).toBe(true);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('stopped by hand');
  });
});
