import { afterEach, describe, expect, it, vi } from 'vitest';
import { Child, lines, runFixture, show } from '../test/child.js';
import type { Exit } from '../test/child.js';
import { CancelledError, InvalidStateError } from './errors.js';
import { Future } from './future.js';
import { debugMode } from './internal/debug.js';
import { run } from './run.js';
import { sleep } from './sleep.js';
import type { Task } from './task.js';
import { allTasks } from './all-tasks.js';
import { createTask } from './create-task.js';
import { currentTask } from './current-task.js';

describe('run (in process)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("returns main's value", async () => {
    expect(await run(() => 'sync value')).toBe('sync value');
    expect(
      await run(async () => {
        await sleep(0);
        return 42;
      }),
    ).toBe(42);
  });

  it('runs main in a task named main', async () => {
    const name = await run(() => currentTask()?.name);
    expect(name).toBe('main');
  });

  it("rejects with main's error, without reporting it as never retrieved", async () => {
    const errors: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args);
    });
    const boom = new Error('boom');
    await expect(
      run(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(errors).toEqual([]);
  });

  it('cancels and awaits the tasks main left pending', async () => {
    const order: string[] = [];
    let leftover: Task<unknown> | undefined;
    const value = await run(async () => {
      leftover = createTask(async () => {
        try {
          await new Future<never>();
        } finally {
          await sleep(0);
          order.push('leftover cleaned up');
        }
      });
      await sleep(0);
      order.push('main done');
      return 'value';
    });
    order.push('run returned');
    expect(value).toBe('value');
    expect(order).toEqual(['main done', 'leftover cleaned up', 'run returned']);
    expect(leftover?.cancelled()).toBe(true);
    expect(allTasks().size).toBe(0);
  });

  it('reports a task error nobody retrieved on stderr after main ends', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.map(String).join(' '));
    });
    await run(async () => {
      createTask(
        () => {
          throw new Error('lost in process');
        },
        { name: 'lost' },
      );
      await sleep(0);
      errors.push('main ending');
    });
    expect(errors[0]).toBe('main ending');
    const report = errors.slice(1).join('\n');
    expect(report).toMatch(/never retrieved/);
    expect(report).toMatch(/name=lost/);
    expect(report).toMatch(/lost in process/);
  });

  it('records creation sites with debug: true and restores the mode after', async () => {
    // Which frame is named is checked in a child process: here every frame of this file counts
    // as corio's own (it lives in packages/core/src).
    const before = debugMode.enabled;
    const site = await run(() => createTask(() => undefined).createdAt, { debug: true });
    expect(typeof site).toBe('string');
    expect(debugMode.enabled).toBe(before);
    const task = createTask(() => undefined);
    expect(task.createdAt).toBeUndefined();
    await task;
  });

  it('rejects with InvalidStateError when called inside a running task', async () => {
    let ran = false;
    const error = await createTask(() =>
      run(() => {
        ran = true;
      }).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(ran).toBe(false);
  });

  it('rejects a second run() while one is running with InvalidStateError, and runs no main', async () => {
    let ran = false;
    const first = run(() => sleep(5, 'first'));
    const second = run(() => {
      ran = true;
    });
    await expect(second).rejects.toThrow(
      new InvalidStateError(
        'run() cannot be called while another run() is running: start the work as a task of the running main instead',
      ),
    );
    expect(await first).toBe('first');
    expect(ran).toBe(false);
    // Once the first has ended, run() works again.
    expect(await run(() => 'again')).toBe('again');
  });

  it('rejects a main that is not a function with TypeError, without throwing', async () => {
    const bad = run as (main: unknown) => Promise<unknown>;
    const result = bad('x');
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow(TypeError);
    await expect(result).rejects.toThrow(/'x'|"x"/);
  });

  it('removes its SIGINT listener when main ends', async () => {
    const before = process.listenerCount('SIGINT');
    await run(() => {
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
    });
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe.concurrent('run (child process)', () => {
  it("returns main's value and exits 0", async () => {
    const exit = await runFixture('run-value');
    expect(exit.code, show(exit)).toBe(0);
    expect(lines(exit.stdout)).toEqual(['run returned {"answer":42}']);
    expect(exit.stderr).toBe('');
  });

  it('cancels and awaits leftover tasks, whose cleanup runs before run() returns', async () => {
    const exit = await runFixture('run-leftovers');
    expect(exit.code, show(exit)).toBe(0);
    expect(lines(exit.stdout)).toEqual([
      'main done',
      'worker-1 cleanup',
      'worker-2 cleanup after await',
      'spawned-in-cleanup cleanup',
      'run returned main value',
    ]);
    // A leftover whose cleanup fails is reported, and does not stop the shutdown.
    expect(exit.stderr).toMatch(/bad-cleanup/);
    expect(exit.stderr).toMatch(/cleanup failed/);
  });

  it('reports every task and future error never retrieved, after main ends', async () => {
    const exit = await runFixture('run-unretrieved');
    expect(exit.code, show(exit)).toBe(0);
    const err = exit.stderr;
    const mainEnding = err.indexOf('main ending');
    const returned = err.indexOf('run returned main value');
    expect(mainEnding, show(exit)).toBeGreaterThanOrEqual(0);
    expect(returned).toBeGreaterThan(mainEnding);
    const report = err.slice(mainEnding, returned);
    expect(report.match(/never retrieved/g)).toHaveLength(2);
    expect(report).toMatch(/lost-task/);
    expect(report).toMatch(/Error: lost task error/);
    expect(report).toMatch(/RangeError: lost future error/);
    expect(err).not.toMatch(/handled task error/);
  });

  describe('an error whose task was garbage-collected before main ended', () => {
    // Run with --expose-gc: the fixture collects the failed task itself (issue #16).
    const runCollected = (mode: string) =>
      runFixture('run-unretrieved-collected', [mode], {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`,
      });
    const report = [
      'corio: Task exception was never retrieved',
      'future: <Task name=collected-task failed error=Error: collected task error>',
      'Error: collected task error',
    ].join('\n');

    it('is reported once by run(), when its finalizer is queued but has not run', async () => {
      const exit = await runCollected('queued');
      expect(exit.code, show(exit)).toBe(0);
      const err = exit.stderr;
      const mainEnding = err.indexOf('main ending, task collected: true, reported: false');
      const returned = err.indexOf('run returned main value');
      expect(mainEnding, show(exit)).toBeGreaterThanOrEqual(0);
      expect(returned, show(exit)).toBeGreaterThan(mainEnding);
      expect(err.match(/never retrieved/g) ?? [], show(exit)).toHaveLength(1);
      expect(err.slice(mainEnding, returned)).toContain(report);
    });

    it('is reported once by its finalizer, and not again by run()', async () => {
      const exit = await runCollected('finalized');
      expect(exit.code, show(exit)).toBe(0);
      const err = exit.stderr;
      const mainEnding = err.indexOf('main ending, task collected: true, reported: true');
      expect(mainEnding, show(exit)).toBeGreaterThanOrEqual(0);
      expect(err.match(/never retrieved/g) ?? [], show(exit)).toHaveLength(1);
      expect(err.slice(0, mainEnding)).toContain(report);
    });
  });

  describe('SIGINT', () => {
    it('cancels main, runs the cleanup, then ends the process by SIGINT without a stack trace', async () => {
      const child = new Child('run-sigint', ['escape']);
      await child.waitFor('ready');
      child.kill('SIGINT');
      const exit = await child.exited;
      expect(exit.signal, show(exit)).toBe('SIGINT');
      expect(exit.code).toBeNull();
      expect(lines(exit.stdout)).toEqual(['ready', 'main cleanup', 'leftover cleanup']);
      expect(exit.stderr).toBe('');
    });

    it('resolves run() with the value of a main that caught the CancelledError, and exits 0', async () => {
      const child = new Child('run-sigint', ['catch']);
      await child.waitFor('ready');
      child.kill('SIGINT');
      const exit = await child.exited;
      expect(exit.code, show(exit)).toBe(0);
      expect(exit.signal).toBeNull();
      expect(lines(exit.stdout)).toEqual([
        'ready',
        'main caught: interrupted by SIGINT',
        'main cleanup',
        'leftover cleanup',
        'run returned clean exit',
      ]);
      expect(exit.stderr).toBe('');
    });

    it('exits at once on a second SIGINT, even while the cleanup hangs', async () => {
      const child = new Child('run-sigint', ['hang']);
      await child.waitFor('ready');
      child.kill('SIGINT');
      await child.waitFor('cleanup hanging');
      child.kill('SIGINT');
      const exit = await child.exited;
      expect(exit.signal, show(exit)).toBe('SIGINT');
      expect(lines(exit.stdout)).toEqual(['ready', 'main cleanup', 'cleanup hanging']);
      expect(exit.stderr).toBe('');
    });

    it('exits at once on a SIGINT after main ended, while a leftover cleanup hangs', async () => {
      const child = new Child('run-sigint', ['shutdown']);
      await child.waitFor('leftover cleanup hanging');
      child.kill('SIGINT');
      const exit = await child.exited;
      expect(exit.signal, show(exit)).toBe('SIGINT');
      expect(lines(exit.stdout)).toEqual(['leftover cleanup', 'leftover cleanup hanging']);
      expect(exit.stderr).toBe('');
    });
  });

  it('drops a CancelledError escaping a callback; any other unhandled rejection still ends the process', async () => {
    const exit = await runFixture('run-unhandled');
    expect(exit.code, show(exit)).toBe(1);
    expect(lines(exit.stdout)).toEqual(['main caught its cancellation', 'still running']);
    expect(exit.stderr).toContain('Error: a real failure');
    expect(exit.stderr).not.toContain('CancelledError');
  });

  it('names the tasks it can never finish when the event loop empties (a foreign promise)', async () => {
    const exit = await runFixture('run-stuck');
    expect(exit.code, show(exit)).toBe(13); // Node's status for a top-level await left unsettled
    expect(exit.stdout).toBe('');
    expect(exit.stderr).toContain(
      'corio: run() cannot finish: the event loop is empty and these tasks still wait, for something nothing will ever settle:\n  <Task name=stuck-on-a-foreign-promise cancelling>',
    );
  });

  it("does not report main's own error as never retrieved: run() throws it", async () => {
    const exit = await runFixture('run-main-error');
    expect(exit.code, show(exit)).toBe(0);
    expect(lines(exit.stdout)).toEqual(['run threw main failed']);
    expect(exit.stderr).toBe('');
  });

  describe('debug mode', () => {
    const expectDebugReports = (exit: Exit): void => {
      expect(exit.code, show(exit)).toBe(0);
      expect(lines(exit.stdout)).toEqual(['run returned debug done']);
      const reportLines = lines(exit.stderr);
      // The blockers' first steps ran in a microtask queued from main: main is not blamed.
      expect(reportLines.filter((l) => l.includes('took') && l.includes('name=main'))).toEqual([]);
      for (const name of ['first-step-blocker', 'later-step-blocker']) {
        const line = reportLines.find((l) => l.includes(`name=${name}`) && l.includes('took'));
        expect(line, `no slow-step report for ${name}\n${show(exit)}`).toBeDefined();
        expect(line).toMatch(/run-debug\.ts/);
      }
      const report = exit.stderr.slice(exit.stderr.indexOf('never retrieved'));
      expect(report, show(exit)).toMatch(/never retrieved/);
      expect(report).toMatch(/name=debug-lost[^\n]*created at[^\n]*run-debug\.ts/);
      expect(report).toMatch(/debug lost error/);
      // The task main left behind is named, with its creation site, before it is cancelled.
      expect(exit.stderr).toMatch(
        /still pending when main ended: <Task name=debug-leftover pending created at [^\n]*run-debug\.ts/,
      );
    };

    it('with debug: true, names the task that blocked the loop and shows creation sites', async () => {
      expectDebugReports(await runFixture('run-debug', ['option']));
    });

    it('with CORIO_DEBUG=1, does the same', async () => {
      expectDebugReports(await runFixture('run-debug', ['env'], { CORIO_DEBUG: '1' }));
    });

    it('is off by default: no slow-step report, no creation site', async () => {
      const exit = await runFixture('run-debug', ['env']);
      expect(exit.code, show(exit)).toBe(0);
      expect(exit.stderr).not.toMatch(/took/);
      expect(exit.stderr).not.toMatch(/created at/);
      expect(exit.stderr).not.toMatch(/still pending/);
      expect(exit.stderr).toMatch(/never retrieved/);
    });
  });
});

describe('run misuse', () => {
  it('a CancelledError escaping main without SIGINT rejects run()', async () => {
    await expect(
      run(async () => {
        (currentTask() as Task<unknown>).cancel('self');
        await sleep(0);
      }),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});
