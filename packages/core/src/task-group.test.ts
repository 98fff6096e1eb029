import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { CancelledError, InvalidStateError, TaskGroupError } from './errors.js';
import { Future } from './future.js';
import { reportUnretrieved } from './internal/unretrieved.js';
import { sleep } from './sleep.js';
import { TaskGroup, taskGroup } from './task-group.js';
import type { Task } from './task.js';
import { createTask } from './create-task.js';
import { currentTask } from './current-task.js';

/** A future nobody settles: awaiting it suspends until cancelled. */
function forever(): Future<never> {
  return new Future<never>();
}

/** What a promise-like settled with, without letting a rejection escape. */
async function outcome(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (error) {
    return error;
  }
}

/** Settles once `p` does; `settled()` tells whether it has, for asserting what is still pending. */
function track(p: PromiseLike<unknown>): { settled: () => boolean; result: Promise<unknown> } {
  let done = false;
  const result = outcome(p).finally(() => {
    done = true;
  });
  return { settled: () => done, result };
}

/** Narrows taskGroup's `T | undefined` (undefined only after `tg.cancel()`). */
function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

/** The fields of TypeScript's and esbuild's downlevel SuppressedError (Node 20 has no global). */
interface SuppressedErrorLike {
  name: string;
  error: unknown;
  suppressed: unknown;
}

describe('taskGroup', () => {
  it('waits for every child before returning the body value', async () => {
    const order: string[] = [];
    const gateA = new Future<void>();
    const gateB = new Future<void>();
    const group = track(
      taskGroup((tg) => {
        tg.createTask(async () => {
          await gateA;
          order.push('a');
        });
        tg.createTask(async () => {
          await gateB;
          order.push('b');
        });
        order.push('body');
        return 'value';
      }),
    );
    await sleep(0);
    await flushMicrotasks();
    expect(order).toEqual(['body']);
    expect(group.settled()).toBe(false);
    gateB.setResult();
    await flushMicrotasks();
    expect(order).toEqual(['body', 'b']);
    expect(group.settled()).toBe(false);
    gateA.setResult();
    expect(await group.result).toBe('value');
    expect(order).toEqual(['body', 'b', 'a']);
  });

  it('gives each child its result', async () => {
    const [a, b] = defined(
      await taskGroup((tg) => [
        tg.createTask(() => 1),
        tg.createTask(async () => {
          await sleep(0);
          return 'two';
        }),
      ]),
    );
    expect(a.result()).toBe(1);
    expect(b.result()).toBe('two');
  });

  it('returns the value of a body that starts no children', async () => {
    expect(await taskGroup(() => 42)).toBe(42);
    expect(await taskGroup(() => Promise.resolve('async'))).toBe('async');
  });

  it('names a child with the name option', async () => {
    // A body's value that is a task would be awaited: wrap it.
    const [child] = defined(
      await taskGroup((tg) => [tg.createTask(() => currentTask()?.name, { name: 'kid' })]),
    );
    expect(child.result()).toBe('kid');
  });

  it('runs the body in a new task when called outside any task', async () => {
    expect(currentTask()).toBeUndefined();
    const { task } = defined(await taskGroup(() => ({ task: currentTask() })));
    expect(task).toBeDefined();
    expect(task?.done()).toBe(true);
  });

  it('runs the body in the calling task when called inside one', async () => {
    const outer = createTask(async () => {
      const { inner } = defined(await taskGroup(() => ({ inner: currentTask() })));
      return inner === currentTask();
    });
    expect(await outer).toBe(true);
  });

  it('lets a cancelled child end without failing the group', async () => {
    const { sibling } = defined(
      await taskGroup(async (tg) => {
        const child = tg.createTask(() => forever());
        const result = tg.createTask(() => sleep(0, 'sibling'));
        await sleep(0);
        child.cancel();
        return { sibling: result };
      }),
    );
    expect(sibling.result()).toBe('sibling');
  });

  it('cancels the body and the siblings on the first child failure, then throws TaskGroupError', async () => {
    const boom = new Error('boom');
    const order: string[] = [];
    const fail = new Future<void>();
    let sibling: Task<unknown> | undefined;
    const error = await outcome(
      taskGroup(async (tg) => {
        sibling = tg.createTask(async () => {
          try {
            await forever();
          } finally {
            order.push('sibling cancelled');
          }
        });
        tg.createTask(async () => {
          await fail;
          throw boom;
        });
        try {
          await sleep(0);
          fail.setResult();
          await forever();
        } catch (e) {
          order.push(e instanceof CancelledError ? 'body cancelled' : 'body failed');
          throw e;
        }
      }),
    );
    expect(error).toBeInstanceOf(TaskGroupError);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as TaskGroupError).errors).toEqual([boom]);
    expect((error as TaskGroupError).message).toBe('unhandled errors in a TaskGroup (1 sub-error)');
    expect(order.toSorted()).toEqual(['body cancelled', 'sibling cancelled']);
    expect(sibling?.cancelled()).toBe(true);
  });

  it('reports a child failure that happens after the body returned', async () => {
    const boom = new Error('late');
    const fail = new Future<void>();
    let sibling: Task<unknown> | undefined;
    const group = track(
      taskGroup((tg) => {
        sibling = tg.createTask(() => forever());
        tg.createTask(async () => {
          await fail;
          throw boom;
        });
        return 'body value';
      }),
    );
    await flushMicrotasks();
    expect(group.settled()).toBe(false);
    fail.setResult();
    const error = await group.result;
    expect(error).toBeInstanceOf(TaskGroupError);
    expect((error as TaskGroupError).errors).toEqual([boom]);
    expect(sibling?.cancelled()).toBe(true);
  });

  it('collects the errors of two children and the body failing in the same tick', async () => {
    const e1 = new Error('child 1');
    const e2 = new Error('child 2');
    const e3 = new Error('body');
    const error = await outcome(
      taskGroup(async (tg) => {
        tg.createTask(() => {
          throw e1;
        });
        tg.createTask(() => {
          throw e2;
        });
        // Both children start and fail right after this await begins; the body resumes before
        // the group reacts to their failures (a microtask later, like asyncio's call_soon).
        await Promise.resolve();
        throw e3;
      }),
    );
    expect(error).toBeInstanceOf(TaskGroupError);
    expect((error as TaskGroupError).errors).toEqual([e1, e2, e3]);
    expect((error as TaskGroupError).message).toBe(
      'unhandled errors in a TaskGroup (3 sub-errors)',
    );
  });

  it('collects an error the body throws after the group cancelled it', async () => {
    const e1 = new Error('child 1');
    const e2 = new Error('child 2');
    const e3 = new Error('body cleanup');
    const error = await outcome(
      taskGroup(async (tg) => {
        tg.createTask(() => {
          throw e1;
        });
        tg.createTask(() => {
          throw e2;
        });
        try {
          await forever();
        } catch {
          throw e3;
        }
      }),
    );
    expect(error).toBeInstanceOf(TaskGroupError);
    expect((error as TaskGroupError).errors).toEqual([e1, e2, e3]);
  });

  it('lists a child error once when the body awaited that child and let its error escape', async () => {
    const boom = new Error('boom');
    const error = await outcome(
      taskGroup(async (tg) => {
        const child = tg.createTask(async () => {
          await sleep(0);
          throw boom;
        });
        await child;
      }),
    );
    expect(error).toBeInstanceOf(TaskGroupError);
    expect((error as TaskGroupError).errors).toEqual([boom]);
  });

  it('never starts children when the body fails before they ran', async () => {
    const bodyError = new Error('body');
    const ran: string[] = [];
    let child: Task<unknown> | undefined;
    const error = await outcome(
      taskGroup((tg) => {
        child = tg.createTask(() => {
          ran.push('child');
        });
        throw bodyError;
      }),
    );
    expect(error).toBeInstanceOf(TaskGroupError);
    expect((error as TaskGroupError).errors).toEqual([bodyError]);
    expect(ran).toEqual([]);
    expect(child?.cancelled()).toBe(true);
  });

  it('marks the children errors as retrieved (no never-retrieved report)', async () => {
    reportUnretrieved();
    const error = await outcome(
      taskGroup((tg) => {
        tg.createTask(() => Promise.reject(new Error('a')));
        tg.createTask(() => Promise.reject(new Error('b')));
      }),
    );
    expect((error as TaskGroupError).errors).toHaveLength(2);
    expect(reportUnretrieved()).toBe(0);
  });

  it('leaves the parent with cancelling() back at 0 after a child failure', async () => {
    const parent = createTask(async () => {
      const self = currentTask() as Task<unknown>;
      const error = await outcome(
        taskGroup(async (tg) => {
          tg.createTask(() => Promise.reject(new Error('boom')));
          await forever();
        }),
      );
      const after = self.cancelling();
      // No cancellation is left pending: the next cancellation point passes.
      await sleep(0);
      return { error, after };
    });
    const { error, after } = await parent;
    expect(error).toBeInstanceOf(TaskGroupError);
    expect(after).toBe(0);
    expect(parent.cancelled()).toBe(false);
  });

  it('two nested groups failing at once: cancelling() is 1 between them, 0 after (CPython 3.13)', async () => {
    const go = new Future<void>();
    const seen: unknown[] = [];
    const parent = createTask(async () => {
      const self = currentTask() as Task<unknown>;
      const outer = await outcome(
        taskGroup(async (tg) => {
          tg.createTask(async () => {
            await go;
            throw new Error('outer child');
          });
          const inner = await outcome(
            taskGroup(async (tg2) => {
              tg2.createTask(async () => {
                await go;
                throw new Error('inner child');
              });
              await forever();
            }),
          );
          // The inner group raised its error; the outer group's cancellation stays pending.
          seen.push(inner, self.cancelling());
          await forever();
        }),
      );
      seen.push(outer, self.cancelling());
    });
    await flushMicrotasks();
    go.setResult(); // both children fail in the same tick
    await parent;
    const messages = (error: unknown): string[] =>
      (error as TaskGroupError).errors.map((e) => (e as Error).message);
    expect(messages(seen[0])).toEqual(['inner child']);
    expect(seen[1]).toBe(1);
    expect(messages(seen[2])).toEqual(['outer child']);
    expect(seen[3]).toBe(0);
  });

  it('keeps an outside cancel that races with a child failure pending after TaskGroupError', async () => {
    const boom = new Error('boom');
    const seen: unknown[] = [];
    const fail = new Future<void>();
    const parent = createTask(async () => {
      const error = await outcome(
        taskGroup(async (tg) => {
          tg.createTask(async () => {
            await fail;
            throw boom;
          });
          await forever();
        }),
      );
      seen.push(error, (currentTask() as Task<unknown>).cancelling());
      await sleep(0); // the outside cancel surfaces here
      seen.push('not reached');
    });
    await flushMicrotasks();
    fail.setResult();
    parent.cancel('from outside');
    const final = await outcome(parent);
    expect(seen[0]).toBeInstanceOf(TaskGroupError);
    expect((seen[0] as TaskGroupError).errors).toEqual([boom]);
    expect(seen[1]).toBe(1);
    expect(seen).toHaveLength(2);
    expect(final).toBeInstanceOf(CancelledError);
    expect(parent.cancelled()).toBe(true);
  });

  it('cancels and awaits the children when cancelled from outside, then rethrows CancelledError', async () => {
    const order: string[] = [];
    const cleanup = new Future<void>();
    const outer = createTask(() =>
      taskGroup(async (tg) => {
        tg.createTask(async () => {
          try {
            await forever();
          } finally {
            order.push('child cleanup started');
            await cleanup;
            order.push('child cleanup done');
          }
        });
        await forever();
      }),
    );
    await flushMicrotasks();
    outer.cancel('stop');
    await flushMicrotasks();
    expect(order).toEqual(['child cleanup started']);
    expect(outer.done()).toBe(false);
    cleanup.setResult();
    const error = await outcome(outer);
    expect(order).toEqual(['child cleanup started', 'child cleanup done']);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error).not.toBeInstanceOf(TaskGroupError);
    expect((error as CancelledError).message).toBe('stop');
    expect(outer.cancelled()).toBe(true);
  });

  it('cancels the children when cancelled from outside after the body returned', async () => {
    let child: Task<unknown> | undefined;
    const outer = createTask(() =>
      taskGroup((tg) => {
        child = tg.createTask(() => forever());
        return 'body value';
      }),
    );
    await flushMicrotasks();
    expect(outer.done()).toBe(false);
    outer.cancel();
    const error = await outcome(outer);
    expect(error).toBeInstanceOf(CancelledError);
    expect(child?.cancelled()).toBe(true);
    expect(outer.cancelled()).toBe(true);
  });

  it('cancel() stops the group without an error and taskGroup returns undefined', async () => {
    const order: string[] = [];
    let group: TaskGroup | undefined;
    const result = track(
      taskGroup(async (tg) => {
        group = tg;
        tg.createTask(async () => {
          try {
            await forever();
          } finally {
            order.push('child cancelled');
          }
        });
        try {
          await forever();
        } finally {
          order.push('body cancelled');
        }
        return 'unreachable';
      }),
    );
    await flushMicrotasks();
    expect(result.settled()).toBe(false);
    group?.cancel();
    expect(await result.result).toBeUndefined();
    expect(order).toEqual(['child cancelled', 'body cancelled']);
  });

  it('cancel() from inside the body stops the group without an error', async () => {
    let child: Task<unknown> | undefined;
    const value = await taskGroup(async (tg) => {
      child = tg.createTask(() => forever());
      await sleep(0);
      tg.cancel();
      await sleep(0);
      return 'unreachable';
    });
    expect(value).toBeUndefined();
    expect(child?.cancelled()).toBe(true);
  });

  it('cancel() after the body returned keeps the body value', async () => {
    let group: TaskGroup | undefined;
    let child: Task<unknown> | undefined;
    const result = track(
      taskGroup((tg) => {
        group = tg;
        child = tg.createTask(() => forever());
        return 'body value';
      }),
    );
    await flushMicrotasks();
    expect(result.settled()).toBe(false);
    group?.cancel();
    expect(await result.result).toBe('body value');
    expect(child?.cancelled()).toBe(true);
  });

  it('cancel() leaves the parent task with cancelling() at 0', async () => {
    const parent = createTask(async () => {
      await taskGroup(async (tg) => {
        tg.createTask(() => forever());
        await sleep(0);
        tg.cancel();
        await forever();
      });
      const count = (currentTask() as Task<unknown>).cancelling();
      await sleep(0);
      return count;
    });
    expect(await parent).toBe(0);
  });

  it('cancel() does not swallow a cancel from outside', async () => {
    let group: TaskGroup | undefined;
    const outer = createTask(() =>
      taskGroup(async (tg) => {
        group = tg;
        tg.createTask(() => forever());
        await forever();
      }),
    );
    await flushMicrotasks();
    group?.cancel();
    outer.cancel('from outside');
    const error = await outcome(outer);
    expect(error).toBeInstanceOf(CancelledError);
    expect(outer.cancelled()).toBe(true);
  });

  it('cancel() on a finished group does nothing', async () => {
    let group: TaskGroup | undefined;
    expect(
      await taskGroup((tg) => {
        group = tg;
        return 'done';
      }),
    ).toBe('done');
    expect(() => group?.cancel()).not.toThrow();
  });

  it('rejects createTask on a finished group with InvalidStateError', async () => {
    let group: TaskGroup | undefined;
    await taskGroup((tg) => {
      group = tg;
    });
    const started: string[] = [];
    expect(() =>
      group?.createTask(() => {
        started.push('ran');
      }),
    ).toThrow(InvalidStateError);
    await flushMicrotasks();
    expect(started).toEqual([]);
  });

  it('rejects createTask while the group is aborting with InvalidStateError', async () => {
    let misuse: unknown;
    const error = await outcome(
      taskGroup(async (tg) => {
        tg.createTask(() => Promise.reject(new Error('boom')));
        try {
          await forever();
        } catch (e) {
          try {
            tg.createTask(() => 'late');
          } catch (m) {
            misuse = m;
          }
          throw e;
        }
      }),
    );
    expect(misuse).toBeInstanceOf(InvalidStateError);
    expect((misuse as Error).message).toMatch(/shutting down/);
    expect(error).toBeInstanceOf(TaskGroupError);
  });

  it('rejects a body that is not a function with TypeError', async () => {
    const bad = taskGroup as (body: unknown) => Promise<unknown>;
    const result = bad('x');
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow(TypeError);
  });

  describe('nested groups', () => {
    it('an inner failure reaches the outer group as a TaskGroupError and cancels its siblings', async () => {
      const boom = new Error('inner boom');
      let outerSibling: Task<unknown> | undefined;
      const error = await outcome(
        taskGroup(async (outer) => {
          outerSibling = outer.createTask(() => forever());
          await taskGroup(async (inner) => {
            inner.createTask(() => Promise.reject(boom));
            await forever();
          });
        }),
      );
      expect(error).toBeInstanceOf(TaskGroupError);
      const innerError: unknown = (error as TaskGroupError).errors[0];
      expect(innerError).toBeInstanceOf(TaskGroupError);
      expect((innerError as TaskGroupError).errors).toEqual([boom]);
      expect(outerSibling?.cancelled()).toBe(true);
    });

    it('an outer failure cancels an inner group running in the body', async () => {
      const boom = new Error('outer boom');
      const fail = new Future<void>();
      let innerChild: Task<unknown> | undefined;
      let innerOutcome: unknown;
      const error = await outcome(
        taskGroup(async (outer) => {
          outer.createTask(async () => {
            await fail;
            throw boom;
          });
          innerOutcome = await outcome(
            taskGroup(async (inner) => {
              innerChild = inner.createTask(() => forever());
              await sleep(0);
              fail.setResult();
              await forever();
            }),
          );
          throw innerOutcome;
        }),
      );
      expect(innerOutcome).toBeInstanceOf(CancelledError);
      expect(innerChild?.cancelled()).toBe(true);
      expect(error).toBeInstanceOf(TaskGroupError);
      expect((error as TaskGroupError).errors).toEqual([boom]);
    });

    it('an outer failure cancels an inner group running in a sibling child', async () => {
      const boom = new Error('outer boom');
      const fail = new Future<void>();
      let innerChild: Task<unknown> | undefined;
      const error = await outcome(
        taskGroup((outer) => {
          outer.createTask(() =>
            taskGroup(async (inner) => {
              innerChild = inner.createTask(() => forever());
              await sleep(0);
              fail.setResult();
              await forever();
            }),
          );
          outer.createTask(async () => {
            await fail;
            throw boom;
          });
        }),
      );
      expect(innerChild?.cancelled()).toBe(true);
      expect(error).toBeInstanceOf(TaskGroupError);
      expect((error as TaskGroupError).errors).toEqual([boom]);
    });
  });
});

describe('TaskGroup with await using', () => {
  it('waits for the children on leaving the block', async () => {
    const order: string[] = [];
    const gate = new Future<void>();
    const task = createTask(async () => {
      {
        await using tg = new TaskGroup();
        tg.createTask(async () => {
          await gate;
          order.push('child');
        });
        order.push('body end');
      }
      order.push('after block');
    });
    await flushMicrotasks();
    expect(order).toEqual(['body end']);
    expect(task.done()).toBe(false);
    gate.setResult();
    await task;
    expect(order).toEqual(['body end', 'child', 'after block']);
  });

  it('delivers a child failure that interrupts the body as a SuppressedError', async () => {
    const boom = new Error('boom');
    const task = createTask(async () => {
      await using tg = new TaskGroup();
      tg.createTask(() => Promise.reject(boom));
      await forever();
    });
    const error = (await outcome(task)) as SuppressedErrorLike;
    expect(error.name).toBe('SuppressedError');
    expect(error.error).toBeInstanceOf(TaskGroupError);
    expect((error.error as TaskGroupError).errors).toEqual([boom]);
    expect(error.suppressed).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(false);
  });

  it('does not cancel the children on a body error (the disposer cannot see it)', async () => {
    const bodyError = new Error('body');
    const gate = new Future<void>();
    let child: Task<unknown> | undefined;
    const task = createTask(async () => {
      await using tg = new TaskGroup();
      child = tg.createTask(async () => {
        await gate;
        return 'child value';
      });
      await sleep(0);
      throw bodyError;
    });
    await sleep(0);
    await flushMicrotasks();
    expect(task.done()).toBe(false);
    expect(child?.done()).toBe(false);
    gate.setResult();
    expect(await outcome(task)).toBe(bodyError);
    expect(child?.result()).toBe('child value');
  });

  it('waits for the children outside any task too', async () => {
    const order: string[] = [];
    {
      await using tg = new TaskGroup();
      tg.createTask(async () => {
        await sleep(0);
        order.push('child');
      });
      order.push('body end');
    }
    expect(order).toEqual(['body end', 'child']);
  });

  it('outside any task, a child failure cancels the siblings and throws TaskGroupError', async () => {
    const boom = new Error('boom');
    let sibling: Task<unknown> | undefined;
    const error = await outcome(
      (async () => {
        await using tg = new TaskGroup();
        sibling = tg.createTask(() => forever());
        tg.createTask(() => Promise.reject(boom));
      })(),
    );
    expect(error).toBeInstanceOf(TaskGroupError);
    expect((error as TaskGroupError).errors).toEqual([boom]);
    expect(sibling?.cancelled()).toBe(true);
  });
});

describe('TaskGroup repr', () => {
  it('renders running, exiting, aborting and finished with its counts', async () => {
    const states: string[] = [];
    let group: TaskGroup | undefined;
    const fail = new Future<void>();
    const gate = new Future<void>();
    const result = track(
      taskGroup(async (tg) => {
        group = tg;
        states.push(tg.toString());
        tg.createTask(async () => {
          try {
            await forever();
          } finally {
            await gate;
          }
        });
        tg.createTask(async () => {
          await fail;
          throw new Error('boom');
        });
        states.push(tg.toString());
        await Promise.resolve();
      }),
    );
    await sleep(0);
    await flushMicrotasks();
    states.push(String(group));
    fail.setResult();
    await flushMicrotasks();
    states.push(inspect(group));
    gate.setResult();
    await result.result;
    states.push(String(group));
    expect(states).toEqual([
      '<TaskGroup tasks=0 errors=0 running>',
      '<TaskGroup tasks=2 errors=0 running>',
      '<TaskGroup tasks=2 errors=0 exiting>',
      '<TaskGroup tasks=1 errors=1 aborting>',
      '<TaskGroup tasks=0 errors=1 finished>',
    ]);
  });
});
