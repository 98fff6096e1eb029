import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const INDEX = new URL('../src/index.ts', import.meta.url).pathname;
const REPO = new URL('../../../', import.meta.url).pathname;

// Long enough that a timer corio forgot to clear keeps the child alive past KILL_AFTER_MS.
const LONG_MS = 60_000;
const KILL_AFTER_MS = 15_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module snippet under `node --import tsx` and waits for the process to end. */
function runChild(code: string): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: KILL_AFTER_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      resolve({ code: exitCode, signal, stdout, stderr });
    });
  });
}

const prelude = `
  import assert from 'node:assert/strict';
  const corio = await import(${JSON.stringify(INDEX)});
  const { CancelledError, TimeoutError, createTask, gather, sleep, timeout, waitFor } = corio;
  const LONG = ${String(LONG_MS)};
`;

describe('process exit', () => {
  it('a program using createTask, sleep, waitFor, timeout and gather exits by itself', async () => {
    const exit = await runChild(`${prelude}
      // Work that finishes well before its deadline: the deadline timers must be cleared.
      assert.equal(await waitFor(sleep(1, 'quick'), LONG), 'quick');
      assert.equal(await waitFor(() => sleep(1, 'fn'), LONG), 'fn');
      assert.equal(await timeout(LONG, () => sleep(1, 'in time')), 'in time');

      // Deadlines that expire: the long sleeps they cancel must clear their timers. (A promise
      // made outside any task, like a bare sleep(LONG), cannot be cancelled: pass a function.)
      await assert.rejects(waitFor(() => sleep(LONG), 5), TimeoutError);
      await assert.rejects(timeout(5, () => sleep(LONG)), TimeoutError);
      await createTask(async () => {
        await assert.rejects(waitFor(sleep(LONG), 5), TimeoutError);
      });

      // gather, and cancelling a gather with long children.
      assert.deepEqual(await gather([sleep(2, 'a'), () => 'b', Promise.resolve('c')]), ['a', 'b', 'c']);
      const gathered = gather([() => sleep(LONG), createTask(() => sleep(LONG))]);
      await sleep(1);
      gathered.cancel();
      await assert.rejects(gathered, CancelledError);

      // gather failing first leaves the other child running: cancel it ourselves.
      const survivor = createTask(() => sleep(LONG));
      await assert.rejects(gather([Promise.reject(new Error('first')), survivor]), /first/);
      survivor.cancel();
      await assert.rejects(survivor, CancelledError);

      // A task cancelled mid-sleep, one cancelled before it starts.
      const sleeper = createTask(() => sleep(LONG));
      await sleep(0);
      sleeper.cancel();
      await assert.rejects(sleeper, CancelledError);
      const never = createTask(() => sleep(LONG));
      never.cancel();
      await assert.rejects(never, CancelledError);

      // A sleep aborted through its signal.
      const controller = new AbortController();
      const aborted = sleep(LONG, undefined, { signal: controller.signal });
      controller.abort(new Error('stop'));
      await assert.rejects(aborted, /stop/);

      // A task using its signal with timers/promises.
      const { setTimeout: delay } = await import('node:timers/promises');
      const signalled = createTask(() => delay(LONG, undefined, { signal: corio.currentTask().signal }));
      await sleep(0);
      signalled.cancel();
      await assert.rejects(signalled, CancelledError);

      assert.equal(corio.allTasks().size, 0);
      console.log('finished');
    `);
    expect(exit.stderr).toBe('');
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe('finished\n');
  });

  it('a program using run() exits by itself after cancelling leftover tasks', async () => {
    const exit = await runChild(`${prelude}
      const result = await corio.run(async () => {
        createTask(() => sleep(LONG));
        createTask(async () => waitFor(sleep(LONG), LONG));
        createTask(() => timeout(LONG, () => sleep(LONG)));
        await sleep(1);
        return 'main done';
      });
      assert.equal(result, 'main done');
      assert.equal(corio.allTasks().size, 0);
      console.log(result);
    `);
    expect(exit.stderr).toBe('');
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe('main done\n');
  });
});
