import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeTimers, rejection } from '../test/helpers.js';
import {
  CancelledError,
  Event,
  InvalidStateError,
  createTask,
  currentTask,
  now,
  sleep,
  timeout,
} from './index.js';
import { runtime } from './internal/current.js';
import { DeadlockError, withVirtualClock } from './testing.js';

/** The kinds of resource that keep the event loop alive, without the test runner's pipes. */
const resources = (): string[] =>
  process.getActiveResourcesInfo().filter((kind) => kind !== 'PipeWrap');

afterEach(() => {
  expect(runtime.clock, 'a virtual clock left installed').toBeUndefined();
});

describe('withVirtualClock', () => {
  it('runs body as a task on the virtual clock, and returns its value', async () => {
    const value = await withVirtualClock(async (clock) => {
      expect(currentTask()?.name).toBe('withVirtualClock');
      expect(now()).toBe(0);
      await clock.advance(1_500);
      expect(now()).toBe(1_500);
      return 'value';
    });
    expect(value).toBe('value');
    expect(now()).toBeCloseTo(performance.now(), -1);
  });

  it('starts at options.start', async () => {
    expect(await withVirtualClock(() => now(), { start: 1_000_000 })).toBe(1_000_000);
  });

  it('rejects with the error of body, once the tasks it left are cancelled and awaited', async () => {
    const log: string[] = [];
    const error = await rejection(
      withVirtualClock(
        async () => {
          createTask(async () => {
            try {
              await sleep(60_000);
            } finally {
              await sleep(10); // cleanup on virtual time, jumped
              log.push(`cleaned up at ${String(now())}`);
            }
          });
          await sleep(5);
          throw new Error('boom');
        },
        { autojump: true },
      ),
    );
    expect(error).toEqual(new Error('boom'));
    expect(log).toEqual(['cleaned up at 15']);
  });

  it('leaves no timer behind, and real timers work again once it returns', async () => {
    const before = resources();
    await withVirtualClock(
      async () => {
        const task = createTask(() => sleep(60_000));
        await sleep(10);
        task.cancel();
      },
      { autojump: true },
    );
    expect(resources()).toEqual(before);
    const start = performance.now();
    await sleep(5);
    await timeout(10, () => sleep(1));
    expect(performance.now() - start).toBeGreaterThanOrEqual(5);
  });

  it('leaves a timer set before it on real time', async () => {
    const log: string[] = [];
    const early = createTask(async () => {
      await sleep(30);
      log.push('real 30 ms');
    });
    await sleep(0);
    await withVirtualClock(
      async () => {
        await sleep(60_000);
        log.push(`virtual ${String(now())}`);
      },
      { autojump: true },
    );
    await early;
    expect(log).toEqual(['virtual 60000', 'real 30 ms']);
  });

  it('hands a timer still pending when it returns over to real time, for the time it had left', async () => {
    const late = await withVirtualClock(async (clock) => {
      // Not a task: nothing cancels it when body ends.
      const slept = sleep(10, 'woke');
      await clock.advance(5);
      return { slept };
    });
    const start = performance.now();
    expect(await late.slept).toBe('woke');
    expect(performance.now() - start).toBeGreaterThanOrEqual(4);
  });

  it('refuses to nest', async () => {
    await withVirtualClock(async () => {
      await expect(withVirtualClock(() => 1)).rejects.toThrow(
        new InvalidStateError(
          'Cannot call withVirtualClock(): a virtual clock is installed already (calls do not nest)',
        ),
      );
    });
  });

  it('refuses bad arguments, naming them', async () => {
    await expect(withVirtualClock('body' as never)).rejects.toThrow(
      new TypeError(`withVirtualClock: 'body' must be a function, received "body"`),
    );
    await expect(withVirtualClock(() => 1, null as never)).rejects.toThrow(
      new TypeError(`withVirtualClock: 'options' must be an object, received null`),
    );
    await expect(withVirtualClock(() => 1, { start: NaN })).rejects.toThrow(
      new RangeError(`withVirtualClock: 'options.start' must be a finite number, received NaN`),
    );
    await expect(withVirtualClock(() => 1, { autojump: 1 as never })).rejects.toThrow(
      new TypeError(`withVirtualClock: 'options.autojump' must be a boolean, received 1`),
    );
    await expect(withVirtualClock(() => 1, { autojumpThreshold: -1 })).rejects.toThrow(
      new RangeError(
        `withVirtualClock: 'options.autojumpThreshold' must be a finite number of ms, 0 or more, received -1`,
      ),
    );
  });
});

describe('withVirtualClock autojump', () => {
  it('jumps to each deadline in turn: 30 s of retries in no time, the same log every run', async () => {
    const program = () =>
      withVirtualClock(
        async () => {
          const log: string[] = [];
          await timeout(30_000, async () => {
            for (let delay = 100; ; delay *= 2) {
              await sleep(delay);
              log.push(`attempt at ${String(now())}`);
            }
          }).catch((error: unknown) => {
            log.push(`${(error as Error).name} at ${String(now())}`);
          });
          return log;
        },
        { autojump: true },
      );
    const start = performance.now();
    const first = await program();
    const second = await program();
    expect(first).toEqual([
      'attempt at 100',
      'attempt at 300',
      'attempt at 700',
      'attempt at 1500',
      'attempt at 3100',
      'attempt at 6300',
      'attempt at 12700',
      'attempt at 25500',
      'TimeoutError at 30000',
    ]);
    expect(second).toEqual(first);
    // 60 simulated seconds: a loose bound, far below them.
    expect(performance.now() - start).toBeLessThan(5_000);
  });

  it('waits for a foreign timer before it jumps', async () => {
    const log = await withVirtualClock(
      async () => {
        const log: string[] = [];
        const sleeper = createTask(async () => {
          await sleep(1_000);
          log.push(`corio sleep at ${String(now())}`);
        });
        // A real timer of another library: time stands still until it has fired.
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`foreign timer at ${String(now())}`);
        await sleeper;
        return log;
      },
      { autojump: true },
    );
    expect(log).toEqual(['foreign timer at 0', 'corio sleep at 1000']);
  });

  it('waits for file system I/O before it jumps', async () => {
    const log = await withVirtualClock(
      async () => {
        const log: string[] = [];
        const reader = createTask(async () => {
          await readFile(new URL(import.meta.url));
          log.push(`read at ${String(now())}`);
        });
        await timeout(50, () => reader).catch(() => log.push('timed out'));
        return log;
      },
      { autojump: true },
    );
    expect(log).toEqual(['read at 0']);
  });

  it('with a threshold, jumps only after that much real idle time', async () => {
    const start = performance.now();
    const end = await withVirtualClock(
      async () => {
        await sleep(1_000);
        await sleep(1_000);
        return now();
      },
      { autojump: true, autojumpThreshold: 10 },
    );
    expect(end).toBe(2_000);
    expect(performance.now() - start).toBeGreaterThanOrEqual(19);
  });

  it('a task cancelled while the clock jumps to its deadline ends cancelled, once', async () => {
    const log = await withVirtualClock(
      async (clock) => {
        const log: string[] = [];
        const victim = createTask(async () => {
          try {
            await sleep(100);
            log.push('victim woke');
          } catch (error) {
            log.push(`victim: ${(error as Error).name} at ${String(now())}`);
            throw error;
          }
        });
        // The body's timer is set first (the victim starts after this line), so it fires
        // first at 100 and cancels the victim whose timer is due at the same instant.
        await sleep(100);
        victim.cancel();
        const outcome = await rejection(victim);
        log.push(
          `outcome: ${(outcome as Error).name}, next deadline: ${String(clock.nextDeadline())}`,
        );
        return log;
      },
      { autojump: true },
    );
    expect(log).toEqual([
      'victim: CancelledError at 100',
      'outcome: CancelledError, next deadline: null',
    ]);
  });

  it('reports a deadlock with the pending tasks, cancelling what body started', async () => {
    const log: string[] = [];
    const never = new Event();
    const error = await rejection(
      withVirtualClock(
        async () => {
          createTask(
            async () => {
              try {
                await never.wait();
              } finally {
                log.push(`consumer cleaned up at ${String(now())}`);
              }
            },
            { name: 'consumer' },
          );
          await sleep(250);
          await never.wait();
        },
        { autojump: true },
      ),
    );
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).now).toBe(250);
    expect((error as Error).message).toBe(
      'Deadlock at 250.0 ms of virtual time: every task waits for something that no timer, ' +
        'I/O or other task will bring; the pending tasks:\n' +
        '  <Task name=withVirtualClock pending>\n' +
        '  ├── wait <Event [unset, waiters:2]>\n' +
        '  └── <Task name=consumer pending>\n' +
        '      └── wait <Event [unset, waiters:2]>',
    );
    expect(log).toEqual(['consumer cleaned up at 250']);
  });

  it('reports a deadlock even when a task refuses to be cancelled, and leaves that one pending', async () => {
    const never = new Event();
    const gate = new Event();
    let released = false;
    let stubborn: ReturnType<typeof createTask> | undefined;
    const error = await rejection(
      withVirtualClock(
        async () => {
          stubborn = createTask(
            async () => {
              while (!released) {
                try {
                  await gate.wait();
                } catch {
                  // swallows every cancellation, and waits on
                }
              }
            },
            { name: 'stubborn' },
          );
          await never.wait();
        },
        { autojump: true },
      ),
    );
    expect(error).toBeInstanceOf(DeadlockError);
    expect(String(stubborn)).toBe('<Task name=stubborn cancelling>');
    released = true;
    gate.set();
    await stubborn;
  });

  it('a sleep begun in a callback that a task set up wakes in that task, on virtual time', async () => {
    const seen = await withVirtualClock(
      async () => {
        const task = createTask(
          () =>
            new Promise<string>((resolve) => {
              // A foreign timer's callback runs in the task's context; so does what it awaits.
              setTimeout(() => {
                void sleep(1_000).then(() => {
                  resolve(`${String(currentTask()?.name)} at ${String(now())}`);
                });
              }, 1);
            }),
          { name: 'owner' },
        );
        return task;
      },
      { autojump: true },
    );
    expect(seen).toBe('owner at 1000');
  });

  it('a virtual sleep begun in a callback that a task set up is cancelled with the task, its timer gone', async () => {
    const outcome = await withVirtualClock(async (clock) => {
      let slept: Promise<string> | undefined;
      let began!: () => void;
      const beginning = new Promise<void>((resolve) => (began = resolve));
      const never = new Event();
      const task = createTask(
        async () => {
          // A foreign callback the task set up: it runs in the task's context.
          setImmediate(() => {
            slept = sleep(10_000).then(
              () => 'woke',
              (error: unknown) => `${(error as Error).name} at ${String(now())}`,
            );
            began();
          });
          await never.wait();
        },
        { name: 'owner' },
      );
      await beginning;
      const before = clock.nextDeadline();
      task.cancel();
      const result = await slept;
      await rejection(task);
      return `${String(before)}: ${String(result)}, next deadline ${String(clock.nextDeadline())}`;
    });
    expect(outcome).toBe('10000: CancelledError at 0, next deadline null');
  });

  it('a caller cancelled while it waits cancels body and what body started', async () => {
    const log: string[] = [];
    const caller = createTask(() =>
      withVirtualClock(async () => {
        try {
          await sleep(60_000);
        } finally {
          log.push(`body cancelled at ${String(now())}`);
        }
      }),
    );
    await sleep(5);
    caller.cancel();
    expect(await rejection(caller)).toBeInstanceOf(CancelledError);
    expect(log).toEqual(['body cancelled at 0']);
  });
});

describe('withVirtualClock with vitest fake timers', () => {
  it('keeps corio timers on the virtual clock, and other code on the fake one', async () => {
    using fake = fakeTimers();
    const log: string[] = [];
    setTimeout(() => log.push(`fake timer at ${String(Date.now())}`), 50);
    const end = await withVirtualClock(
      async () => {
        // The fake timer holds no jump back: the autojump does not see it.
        await sleep(1_000);
        log.push(`corio sleep at ${String(now())}`);
        await fake.advance(50);
        return now();
      },
      { autojump: true },
    );
    expect(end).toBe(1_000);
    expect(log).toEqual(['corio sleep at 1000', `fake timer at ${String(Date.now())}`]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
