import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import {
  CancelledError,
  TimeoutError,
  createTask,
  currentTask,
  sleep,
  suspend,
  timeout,
  waitFor,
} from './index.js';
import type { Task } from './index.js';

/** A mailbox whose receive() is built on suspend(), and a log of its undo calls. */
function mailbox(): {
  receive: (signal?: AbortSignal) => Promise<string>;
  deliver: (letter: string) => boolean;
  waiting: () => boolean;
  undone: string[];
} {
  let slot: ((letter: string) => void) | undefined;
  const undone: string[] = [];
  return {
    receive: (signal) =>
      suspend<string>(
        (resolve) => {
          slot = resolve;
          return () => {
            slot = undefined;
            undone.push('undo');
          };
        },
        { signal },
      ),
    deliver: (letter) => {
      const resolve = slot;
      slot = undefined;
      resolve?.(letter);
      return resolve !== undefined;
    },
    waiting: () => slot !== undefined,
    undone,
  };
}

describe('suspend', () => {
  it('runs setup at once and resolves with what it hands over', async () => {
    const box = mailbox();
    const letter = box.receive();
    expect(box.waiting()).toBe(true);
    box.deliver('hello');
    expect(await letter).toBe('hello');
    expect(box.undone).toEqual([]);
  });

  it('rejects with what setup rejects with, or throws', async () => {
    await expect(
      suspend((_resolve, reject) => {
        reject(new RangeError('refused'));
      }),
    ).rejects.toThrow(new RangeError('refused'));
    await expect(
      suspend(() => {
        throw new TypeError('setup failed');
      }),
    ).rejects.toThrow(new TypeError('setup failed'));
  });

  it('accepts a setup that returns nothing (nothing to undo)', async () => {
    const task = createTask(() =>
      suspend<number>(() => {
        // Registers nothing: only a cancellation ends it.
      }),
    );
    await flushMicrotasks();
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
  });

  it('in a task, is a cancellation point: undo runs, then CancelledError', async () => {
    const box = mailbox();
    const task = createTask(() => box.receive());
    await flushMicrotasks();
    task.cancel('no more mail');
    await expect(task).rejects.toThrow(new CancelledError('no more mail'));
    expect(box.undone).toEqual(['undo']);
    expect(box.waiting()).toBe(false);
  });

  it('never undoes a hand-off: a cancel after resolve lets the value through, the cancel comes next', async () => {
    const box = mailbox();
    const log: string[] = [];
    const task = createTask(async () => {
      log.push(await box.receive());
      await sleep(0);
      log.push('unreachable');
    });
    await flushMicrotasks();
    box.deliver('kept');
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(log).toEqual(['kept']);
    expect(box.undone).toEqual([]);
  });

  it('with a cancellation already pending, rejects without running setup', async () => {
    const box = mailbox();
    const task = createTask(async () => {
      (currentTask() as Task<unknown>).cancel('early');
      return box.receive();
    });
    await expect(task).rejects.toThrow(new CancelledError('early'));
    expect(box.waiting()).toBe(false);
    expect(box.undone).toEqual([]);
  });

  it('undoes at once when what setup did cancelled its own task', async () => {
    const undone: string[] = [];
    const task = createTask(() =>
      suspend(() => {
        (currentTask() as Task<unknown>).cancel();
        return () => {
          undone.push('undo');
        };
      }),
    );
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(undone).toEqual(['undo']);
  });

  it("is cancelled by the timeout() scope it began in, and by waitFor's deadline on its promise", async () => {
    const box = mailbox();
    await expect(timeout(1, () => box.receive())).rejects.toBeInstanceOf(TimeoutError);
    expect(box.undone).toEqual(['undo']);
    await expect(waitFor(box.receive(), 0)).rejects.toBeInstanceOf(TimeoutError);
    expect(box.undone).toEqual(['undo', 'undo']);
    expect(box.waiting()).toBe(false);
  });

  it('with a signal: an abort undoes and rejects with its reason; an aborted one never runs setup', async () => {
    const box = mailbox();
    const controller = new AbortController();
    const letter = box.receive(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(letter).rejects.toThrow('gave up');
    expect(box.undone).toEqual(['undo']);
    await expect(box.receive(controller.signal)).rejects.toThrow('gave up');
    expect(box.undone).toEqual(['undo']);
    expect(box.waiting()).toBe(false);
  });

  it('rejects a setup that is not a function with a TypeError naming it, without throwing', async () => {
    const bad = suspend as (setup: unknown) => Promise<unknown>;
    const result = bad(42);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow(
      new TypeError("suspend: 'setup' must be a function, received 42"),
    );
  });
});
