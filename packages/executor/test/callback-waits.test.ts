// Every executor wait begun in a callback that a task set up (a setImmediate or setTimeout
// callback, an EventEmitter listener emitted from a timer of the task) runs in the task's async
// context: the task's cancellation interrupts it at once and cancels the job it awaited, the
// callback cannot consume that cancellation (the task's own code still gets it), and the pool
// serves on, counting the job as cancelled.
import { Future, createTask } from '@corio/core';
import type { Task } from '@corio/core';
import type { Tracked } from '../../core/test/callback-waits-shared.js';
import { WorkerPoolExecutor, runInExecutor, workerFunction } from '@corio/executor';
import { describe, expect, it } from 'vitest';
import { cells, waitForCell } from './helpers.js';
import {
  callbackCases,
  cancelMidWait,
  checkNoLeakedTimers,
  gate,
  ownCode,
  track,
} from '../../core/test/callback-waits-shared.js';

const JOBS = new URL('./fixtures/jobs.js', import.meta.url);
/** Reports its thread in cells[0], waits for its signal; cells[1] is 1 once its cleanup ran. */
const cooperative = workerFunction<(buffer: SharedArrayBuffer) => Promise<string>>(
  JOBS,
  'cooperative',
);
const threadOf = workerFunction<() => Promise<number>>(JOBS, 'whoAmI');

checkNoLeakedTimers();

interface WaitKind {
  readonly name: string;
  /**
   * Begins the wait (called in the callback) on a job that runs `cooperative` on `buffer`;
   * `job` receives the job's future where there is one.
   */
  readonly begin: (
    pool: WorkerPoolExecutor,
    buffer: SharedArrayBuffer,
    job: (future: Future<string>) => void,
  ) => Promise<unknown>;
}

const WAITS: readonly WaitKind[] = [
  {
    name: 'awaiting a submit() future',
    begin: async (pool, buffer, job) => {
      const future = pool.submit(cooperative, buffer);
      job(future);
      return await future;
    },
  },
  {
    name: 'awaiting runInExecutor()',
    begin: async (pool, buffer, job) => {
      const future = runInExecutor(pool, cooperative, buffer);
      job(future);
      return await future;
    },
  },
  {
    name: 'iterating map()',
    begin: async (pool, buffer) => {
      const values: string[] = [];
      for await (const value of pool.map(cooperative, [buffer])) values.push(value);
      return values;
    },
  },
];

const CASES = callbackCases(WAITS);

describe('an executor wait begun in a callback that a task set up', () => {
  it.each(CASES)(
    '$wait.name in $origin.name, the own code awaiting $own: interrupted, the job cancelled, the pool serves on',
    async ({ wait, origin, own }) => {
      await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const shared = cells();
      const buffer = shared.buffer as SharedArrayBuffer;
      const begun = new Future<Tracked>();
      let job: Future<string> | undefined;
      const foreign = gate();
      const log: string[] = [];
      const task: Task<void> = createTask(async () => {
        origin.setUp(() => {
          begun.setResult(
            track(
              wait.begin(pool, buffer, (future) => {
                job = future;
              }),
            ),
          );
        });
        await ownCode(own, foreign.promise, log);
      });
      const waitInCallback = await begun;
      const thread = await waitForCell(shared, 0); // the job runs
      await cancelMidWait(task, waitInCallback, { kind: own, foreign, log });
      if (job !== undefined) expect(job.cancelled()).toBe(true);

      // The job heard its cancellation and cleaned up; its worker serves the next job.
      expect(await waitForCell(shared, 1)).toBe(1);
      expect(await pool.submit(threadOf)).toBe(thread);
      expect(pool.stats()).toMatchObject({
        queued: 0,
        running: 0,
        cancelled: 1,
        completed: 1,
        failed: 0,
        workersStarted: 1,
      });
    },
  );
});
