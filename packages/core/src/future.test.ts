import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, rejection } from '../test/helpers.js';
import { reportUnretrieved } from './internal/unretrieved.js';
import { CancelledError, Future, InvalidStateError, createTask, run } from './index.js';

const INDEX = new URL('./index.ts', import.meta.url).pathname;
const REPO = new URL('../../../', import.meta.url).pathname;

/** Runs an ES module snippet in a fresh `node --expose-gc --import tsx`; returns its output. */
function runChild(code: string): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: REPO, encoding: 'utf8', timeout: 15_000 },
  );
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Future', () => {
  it('starts pending', () => {
    const fut = new Future<number>();
    expect(fut.done()).toBe(false);
    expect(fut.cancelled()).toBe(false);
  });

  it('setResult() makes it done with that result', () => {
    const fut = new Future<number>();
    fut.setResult(42);
    expect(fut.done()).toBe(true);
    expect(fut.cancelled()).toBe(false);
    expect(fut.result()).toBe(42);
    expect(fut.exception()).toBeUndefined();
  });

  it('setException() makes it done: result() throws the error, exception() returns it', () => {
    const fut = new Future<number>();
    const error = new Error('boom');
    fut.setException(error);
    expect(fut.done()).toBe(true);
    expect(fut.cancelled()).toBe(false);
    expect(() => fut.result()).toThrow(error);
    expect(fut.exception()).toBe(error);
  });

  it('setException() accepts a non-Error value', () => {
    const fut = new Future<number>();
    fut.setException('plain string');
    expect(fut.exception()).toBe('plain string');
  });

  it('await resolves with the result', async () => {
    const fut = new Future<number>();
    setTimeout(() => {
      fut.setResult(7);
    }, 1);
    expect(await fut).toBe(7);
  });

  it('await rejects with the error', async () => {
    const fut = new Future<number>();
    const error = new Error('boom');
    queueMicrotask(() => {
      fut.setException(error);
    });
    expect(await rejection(fut)).toBe(error);
  });

  it('await on an already-done future resolves with its result', async () => {
    const fut = new Future<string>();
    fut.setResult('ready');
    expect(await fut).toBe('ready');
  });

  it('works with Promise.all, Promise.race and Promise.resolve', async () => {
    const a = new Future<number>();
    const b = new Future<string>();
    const all = Promise.all([a, b]);
    const race = Promise.race([a, b]);
    b.setResult('b');
    expect(await race).toBe('b');
    a.setResult(1);
    expect(await all).toEqual([1, 'b']);
    expect(await Promise.resolve(a)).toBe(1);
  });

  it('then() chains like a Promise', async () => {
    const fut = new Future<number>();
    const chained = fut.then((v) => v * 2).then((v) => `${String(v)}!`);
    fut.setResult(21);
    expect(await chained).toBe('42!');
  });

  it('then() with an onRejected handler recovers', async () => {
    const fut = new Future<number>();
    fut.setException(new Error('bad'));
    const recovered = await fut.then(
      () => 'no',
      (e: unknown) => (e as Error).message,
    );
    expect(recovered).toBe('bad');
  });

  it('catch() handles the error', async () => {
    const fut = new Future<number>();
    fut.setException(new Error('bad'));
    expect(await fut.catch((e: unknown) => (e as Error).message)).toBe('bad');
  });

  it('catch() passes a result through', async () => {
    const fut = new Future<number>();
    fut.setResult(3);
    expect(await fut.catch(() => -1)).toBe(3);
  });

  it('finally() runs on success and on failure, passing the outcome through', async () => {
    const calls: string[] = [];
    const ok = new Future<number>();
    ok.setResult(1);
    expect(await ok.finally(() => calls.push('ok'))).toBe(1);
    const bad = new Future<number>();
    const error = new Error('bad');
    bad.setException(error);
    expect(await rejection(bad.finally(() => calls.push('bad')))).toBe(error);
    expect(calls).toEqual(['ok', 'bad']);
  });

  it('several awaiters all get the result', async () => {
    const fut = new Future<number>();
    const waiters = [fut.then((v) => v), fut.then((v) => v + 1), Promise.resolve(fut)];
    fut.setResult(10);
    expect(await Promise.all(waiters)).toEqual([10, 11, 10]);
  });

  it('can be used as the value of an async function', async () => {
    const fut = new Future<number>();
    fut.setResult(5);
    const fn = async (): Promise<number> => fut;
    expect(await fn()).toBe(5);
  });

  it('result() and exception() of a pending future throw InvalidStateError naming it', () => {
    const fut = new Future<number>();
    expect(() => fut.result()).toThrow(InvalidStateError);
    expect(() => fut.result()).toThrow('<Future pending>');
    expect(() => fut.exception()).toThrow(InvalidStateError);
    expect(() => fut.exception()).toThrow('<Future pending>');
  });
});

describe('Future.cancel', () => {
  it('makes it done and cancelled, and returns true', () => {
    const fut = new Future<number>();
    expect(fut.cancel()).toBe(true);
    expect(fut.done()).toBe(true);
    expect(fut.cancelled()).toBe(true);
  });

  it('result() and exception() throw a CancelledError carrying the message', () => {
    const fut = new Future<number>();
    fut.cancel('no longer needed');
    expect(() => fut.result()).toThrow(CancelledError);
    expect(() => fut.result()).toThrow('no longer needed');
    expect(() => fut.exception()).toThrow(CancelledError);
    expect(() => fut.exception()).toThrow('no longer needed');
  });

  it('await rejects with a CancelledError carrying the message', async () => {
    const fut = new Future<number>();
    const awaited = rejection(fut);
    fut.cancel('stop');
    const error = await awaited;
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).message).toBe('stop');
  });

  it('without a message gives a CancelledError with an empty message', () => {
    const fut = new Future<number>();
    fut.cancel();
    expect(() => fut.result()).toThrow(new CancelledError(''));
  });

  it('returns false on a future already done, leaving it as it was', () => {
    const ok = new Future<number>();
    ok.setResult(1);
    expect(ok.cancel()).toBe(false);
    expect(ok.cancelled()).toBe(false);
    expect(ok.result()).toBe(1);

    const cancelled = new Future<number>();
    cancelled.cancel('first');
    expect(cancelled.cancel('second')).toBe(false);
    expect(() => cancelled.result()).toThrow('first');

    const failed = new Future<number>();
    failed.setException(new Error('x'));
    expect(failed.cancel()).toBe(false);
    expect(failed.cancelled()).toBe(false);
    expect(failed.exception()).toEqual(new Error('x'));
  });

  it('runs done callbacks', async () => {
    const fut = new Future<number>();
    const callback = vi.fn();
    fut.addDoneCallback(callback);
    fut.cancel();
    await flushMicrotasks();
    expect(callback).toHaveBeenCalledExactlyOnceWith(fut);
  });
});

describe('Future.addDoneCallback', () => {
  it('calls the callbacks with the future, in the order they were added', async () => {
    const fut = new Future<number>();
    const order: string[] = [];
    fut.addDoneCallback((f) => order.push(`a:${String(f.result())}`));
    fut.addDoneCallback((f) => order.push(`b:${String(f.result())}`));
    fut.addDoneCallback((f) => order.push(`c:${String(f.result())}`));
    fut.setResult(1);
    await flushMicrotasks();
    expect(order).toEqual(['a:1', 'b:1', 'c:1']);
  });

  it('calls the callbacks asynchronously, never inside setResult', async () => {
    const fut = new Future<number>();
    const callback = vi.fn();
    fut.addDoneCallback(callback);
    fut.setResult(1);
    expect(callback).not.toHaveBeenCalled();
    await flushMicrotasks();
    expect(callback).toHaveBeenCalledOnce();
  });

  it('calls a callback added to a done future soon, asynchronously', async () => {
    const fut = new Future<number>();
    fut.setResult(1);
    const callback = vi.fn();
    fut.addDoneCallback(callback);
    expect(callback).not.toHaveBeenCalled();
    await flushMicrotasks();
    expect(callback).toHaveBeenCalledExactlyOnceWith(fut);
  });

  it('keeps order for callbacks added to an already-done future', async () => {
    const fut = new Future<number>();
    fut.setResult(1);
    const order: number[] = [];
    for (let i = 0; i < 5; i++) fut.addDoneCallback(() => order.push(i));
    await flushMicrotasks();
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('calls each registration, so a callback added twice runs twice', async () => {
    const fut = new Future<number>();
    const callback = vi.fn();
    fut.addDoneCallback(callback);
    fut.addDoneCallback(callback);
    fut.setResult(1);
    await flushMicrotasks();
    expect(callback).toHaveBeenCalledTimes(2);
  });

  it('runs the callbacks once, even if more is attempted afterwards', async () => {
    const fut = new Future<number>();
    const callback = vi.fn();
    fut.addDoneCallback(callback);
    fut.setResult(1);
    expect(() => {
      fut.setResult(2);
    }).toThrow(InvalidStateError);
    fut.cancel();
    await flushMicrotasks();
    expect(callback).toHaveBeenCalledOnce();
  });

  it('logs an error thrown by a callback and still runs the others', async () => {
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const fut = new Future<number>();
    const after = vi.fn();
    const boom = new Error('callback failed');
    fut.addDoneCallback(() => {
      throw boom;
    });
    fut.addDoneCallback(after);
    fut.setResult(1);
    await flushMicrotasks();
    expect(after).toHaveBeenCalledOnce();
    expect(errorLog).toHaveBeenCalledOnce();
    expect(errorLog.mock.calls[0]).toContain(boom);
  });

  it('throws TypeError naming the bad value for a non-function', () => {
    const fut = new Future<number>();
    expect(() => {
      fut.addDoneCallback(42 as never);
    }).toThrow(TypeError);
    expect(() => {
      fut.addDoneCallback(42 as never);
    }).toThrow(/'callback'.*number/);
  });
});

describe('Future.removeDoneCallback', () => {
  it('removes every registration of the callback and returns how many', async () => {
    const fut = new Future<number>();
    const removed = vi.fn();
    const kept = vi.fn();
    fut.addDoneCallback(removed);
    fut.addDoneCallback(kept);
    fut.addDoneCallback(removed);
    expect(fut.removeDoneCallback(removed)).toBe(2);
    fut.setResult(1);
    await flushMicrotasks();
    expect(removed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledOnce();
  });

  it('returns 0 for a callback never added', () => {
    const fut = new Future<number>();
    expect(fut.removeDoneCallback(() => undefined)).toBe(0);
    fut.addDoneCallback(() => undefined);
    expect(fut.removeDoneCallback(() => undefined)).toBe(0);
  });

  it('returns 0 once the future is done', async () => {
    const fut = new Future<number>();
    const callback = vi.fn();
    fut.addDoneCallback(callback);
    fut.setResult(1);
    expect(fut.removeDoneCallback(callback)).toBe(0);
    await flushMicrotasks();
    expect(callback).toHaveBeenCalledOnce();
  });
});

describe('Future misuse', () => {
  it('setResult() twice throws InvalidStateError naming the future', () => {
    const fut = new Future<number>();
    fut.setResult(1);
    expect(() => {
      fut.setResult(2);
    }).toThrow(InvalidStateError);
    expect(() => {
      fut.setResult(2);
    }).toThrow('<Future fulfilled result=1>');
    expect(fut.result()).toBe(1);
  });

  it('setException() after setResult() throws InvalidStateError naming the future', () => {
    const fut = new Future<number>();
    fut.setResult(1);
    expect(() => {
      fut.setException(new Error('late'));
    }).toThrow(/setException\(\).*<Future fulfilled result=1>/);
  });

  it('setException() twice throws InvalidStateError naming the future', () => {
    const fut = new Future<number>();
    fut.setException(new Error('first'));
    expect(() => {
      fut.setException(new Error('second'));
    }).toThrow(InvalidStateError);
    expect(() => {
      fut.setException(new Error('second'));
    }).toThrow('<Future failed error=Error: first>');
    expect(fut.exception()).toEqual(new Error('first'));
  });

  it('setResult() on a cancelled future throws InvalidStateError', () => {
    const fut = new Future<number>();
    fut.cancel();
    expect(() => {
      fut.setResult(1);
    }).toThrow(/<Future cancelled>/);
    expect(fut.cancelled()).toBe(true);
  });
});

describe('Future never-retrieved errors', () => {
  it('reports a failed future whose error was never retrieved', () => {
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const fut = new Future<number>();
    fut.setException(new Error('lost-1'));
    expect(reportUnretrieved()).toBeGreaterThanOrEqual(1);
    const output = errorLog.mock.calls.map((args) => args.join(' ')).join('\n');
    expect(output).toContain('Future exception was never retrieved');
    expect(output).toContain('<Future failed error=Error: lost-1>');
  });

  it('does not report an error retrieved by await, then, catch, result() or exception()', async () => {
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const retrieve: ((f: Future<number>) => unknown)[] = [
      (f) => rejection(f),
      (f) => f.then(undefined, () => undefined),
      (f) => f.catch(() => undefined),
      (f) => {
        expect(() => f.result()).toThrow('retrieved');
      },
      (f) => f.exception(),
    ];
    for (const how of retrieve) {
      const fut = new Future<number>();
      fut.setException(new Error('retrieved'));
      await how(fut);
    }
    reportUnretrieved();
    const output = errorLog.mock.calls.map((args) => args.join(' ')).join('\n');
    expect(output).not.toContain('retrieved>');
  });

  it('does not report a cancelled future', () => {
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const fut = new Future<number>();
    fut.cancel('cancelled-not-reported');
    reportUnretrieved();
    const output = errorLog.mock.calls.map((args) => args.join(' ')).join('\n');
    expect(output).not.toContain('cancelled-not-reported');
  });

  it('reports each unretrieved error once', () => {
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const fut = new Future<number>();
    fut.setException(new Error('lost-once'));
    reportUnretrieved();
    reportUnretrieved();
    const reports = errorLog.mock.calls.filter((args) => args.join(' ').includes('lost-once'));
    expect(reports).toHaveLength(1);
  });

  it('run() reports futures and tasks whose error was never retrieved', async () => {
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let kept: unknown[] = [];
    await run(async () => {
      const fut = new Future<number>();
      fut.setException(new Error('lost-in-run'));
      const task = createTask(
        () => {
          throw new Error('task-lost-in-run');
        },
        { name: 'doomed' },
      );
      kept = [fut, task];
      await flushMicrotasks();
    });
    const output = errorLog.mock.calls.map((args) => args.join(' ')).join('\n');
    expect(output).toContain('Future exception was never retrieved');
    expect(output).toContain('lost-in-run');
    expect(output).toContain('Task exception was never retrieved');
    expect(output).toContain('<Task name=doomed failed error=Error: task-lost-in-run>');
    expect(kept).toHaveLength(2);
  });

  it('reports an unretrieved error when the future is garbage-collected', () => {
    const { status, stderr } = runChild(`
      const { Future } = await import(${JSON.stringify(INDEX)});
      function lose() {
        const fut = new Future();
        fut.setException(new Error('collected-marker'));
      }
      function keep() {
        const fut = new Future();
        fut.setException(new Error('retrieved-marker'));
        fut.exception();
      }
      lose();
      keep();
      for (let i = 0; i < 20; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    `);
    expect(status).toBe(0);
    expect(stderr).toContain('corio: Future exception was never retrieved');
    expect(stderr).toContain('collected-marker');
    expect(stderr).not.toContain('retrieved-marker');
  });
});

describe('Future repr', () => {
  it('renders a pending future', () => {
    expect(String(new Future())).toBe('<Future pending>');
  });

  it('tags itself Future or Task for Object.prototype.toString', async () => {
    const task = createTask(() => 1);
    expect(Object.prototype.toString.call(new Future())).toBe('[object Future]');
    expect(Object.prototype.toString.call(task)).toBe('[object Task]');
    expect(await task).toBe(1);
  });

  it('renders a fulfilled future with its result', () => {
    const fut = new Future<number>();
    fut.setResult(42);
    expect(fut.toString()).toBe('<Future fulfilled result=42>');
  });

  it('renders strings quoted and shortened, objects and arrays by kind', () => {
    const render = (value: unknown): string => {
      const fut = new Future<unknown>();
      fut.setResult(value);
      return fut.toString();
    };
    expect(render('hi')).toBe('<Future fulfilled result="hi">');
    expect(render('x'.repeat(50))).toBe(`<Future fulfilled result="${'x'.repeat(37)}...">`);
    expect(render({ a: 1 })).toBe('<Future fulfilled result=[object]>');
    expect(render([1, 2])).toBe('<Future fulfilled result=[array]>');
    expect(render(undefined)).toBe('<Future fulfilled result=undefined>');
  });

  it('renders a failed future with its error', () => {
    const fut = new Future<number>();
    fut.setException(new TypeError('bad'));
    expect(fut.toString()).toBe('<Future failed error=TypeError: bad>');
    fut.exception();
  });

  it('renders a cancelled future', () => {
    const fut = new Future<number>();
    fut.cancel();
    expect(fut.toString()).toBe('<Future cancelled>');
  });

  it('renders the same through util.inspect', () => {
    const fut = new Future<number>();
    expect(inspect(fut)).toBe('<Future pending>');
    fut.setResult(42);
    expect(inspect(fut)).toBe('<Future fulfilled result=42>');
    expect(inspect({ fut })).toBe('{ fut: <Future fulfilled result=42> }');
  });

  it('renders a subclass with its own class name', () => {
    class Deferred<T> extends Future<T> {}
    expect(String(new Deferred())).toBe('<Deferred pending>');
  });
});
