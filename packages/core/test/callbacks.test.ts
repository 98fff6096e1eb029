// Callbacks that a task sets up (timers, listeners, the handlers of a server it started) run in
// the task's async context. A scope opened in one must cancel only what runs inside it, and the
// task's own cancellation must reach the task's own code, whatever its callbacks do meanwhile.
// The async callbacks handed to Node's APIs below are the pattern under test, as users write it.
/* eslint-disable @typescript-eslint/no-misused-promises */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  Event,
  Future,
  TimeoutError,
  createTask,
  currentTask,
  sleep,
  taskGroup,
  timeout,
  waitFor,
} from '../src/index.js';
import type { Task } from '../src/index.js';
import { Child, show } from './child.js';

/** Status and body of a GET, on a connection of its own (no keep-alive to hold the server). */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    request.on('error', reject);
  });
}

/** What a promise-like settled with, without letting a rejection escape. */
function settled(promise: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(promise).then(
    (value) => value,
    (error: unknown) => error,
  );
}

function self(): Task<unknown> {
  return currentTask() as Task<unknown>;
}

describe('a scope opened in a callback the task set up', () => {
  it('a timeout() in a node:http handler times out that request; the server task serves on', async () => {
    const listening = new Future<number>();
    const stop = new Event();
    const main = createTask(async () => {
      const server = http.createServer(async (request, response) => {
        try {
          const body = await timeout(20, () => sleep(request.url === '/slow' ? 60_000 : 0, 'ok'));
          response.end(body);
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
          response.statusCode = 504;
          response.end('too slow');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      listening.setResult((server.address() as AddressInfo).port);
      try {
        await stop.wait();
        return `stopped, cancelling=${String(self().cancelling())}`;
      } finally {
        server.close();
      }
    });
    const port = await listening;
    expect(await get(port, '/slow')).toEqual({ status: 504, body: 'too slow' });
    expect(await get(port, '/fast')).toEqual({ status: 200, body: 'ok' });
    expect(await get(port, '/slow')).toEqual({ status: 504, body: 'too slow' });
    expect(main.done()).toBe(false);
    expect(main.signal.aborted).toBe(false);
    stop.set();
    expect(await main).toBe('stopped, cancelling=0');
  });

  it('a waitFor() in an EventEmitter listener times out there; the task waits on', async () => {
    // Listeners run in the context of the code that emits: here, a timer the task set up, as
    // a socket's events run in the context of the task that opened it.
    const emitter = new EventEmitter();
    const log: string[] = [];
    const go = new Event();
    const task = createTask(
      async () => {
        emitter.on('job', async () => {
          const outcome = await settled(waitFor(() => sleep(60_000), 1));
          log.push(`listener in ${String(currentTask()?.name)}: ${(outcome as Error).name}`);
          go.set();
        });
        setTimeout(() => emitter.emit('job'), 0);
        await go.wait();
        log.push('task: woke normally');
        await sleep(0);
        return self().cancelling();
      },
      { name: 'owner' },
    );
    expect(await task).toBe(0);
    expect(log).toEqual(['listener in owner: TimeoutError', 'task: woke normally']);
  });

  it('a failing taskGroup() in a timer callback cancels its own body, never the task', async () => {
    const log: string[] = [];
    const task = createTask(async () => {
      setTimeout(async () => {
        const outcome = await settled(
          taskGroup(async (tg) => {
            tg.createTask(() => {
              throw new Error('child failed');
            });
            await sleep(60_000);
          }),
        );
        log.push(`callback: ${(outcome as Error).constructor.name}`);
      }, 0);
      await sleep(20);
      log.push('task: slept through');
      return self().cancelling();
    });
    expect(await task).toBe(0);
    expect(log).toEqual(['callback: TaskGroupError', 'task: slept through']);
  });

  it("expires while the task's own code waits elsewhere: only the scope's waits are interrupted", async () => {
    const log: string[] = [];
    const release = new Event();
    const task = createTask(async () => {
      const timer = setInterval(() => {
        clearInterval(timer);
        void timeout(1, () => sleep(60_000)).catch((error: unknown) => {
          log.push(`callback scope: ${(error as Error).name}`);
          release.set();
        });
      }, 0);
      await release.wait();
      log.push('own wait: not interrupted');
      return self().cancelling();
    });
    expect(await task).toBe(0);
    expect(log).toEqual(['callback scope: TimeoutError', 'own wait: not interrupted']);
  });

  it("never changes the task's cancelling(), which a scope of the task's own code does", async () => {
    const seen: string[] = [];
    const task = createTask(async () => {
      const inCallback = new Future<void>();
      setTimeout(async () => {
        await timeout(1, async () => {
          try {
            await sleep(60_000);
          } catch (error) {
            seen.push(`callback scope: cancelling=${String(self().cancelling())}`);
            throw error;
          }
        }).catch(() => undefined);
        inCallback.setResult();
      }, 0);
      await inCallback;
      await timeout(1, async () => {
        try {
          await sleep(60_000);
        } catch (error) {
          seen.push(`own scope: cancelling=${String(self().cancelling())}`);
          throw error;
        }
      }).catch(() => undefined);
      seen.push(`after: cancelling=${String(self().cancelling())}`);
    });
    await task;
    expect(seen).toEqual([
      'callback scope: cancelling=0',
      'own scope: cancelling=1',
      'after: cancelling=0',
    ]);
  });

  it("hands the scope's signal to timers/promises: the deadline aborts it there, not elsewhere", async () => {
    const task = createTask(async () => {
      const outer = self().signal;
      const error = await settled(
        timeout(5, () => delay(60_000, 'late', { signal: self().signal })),
      );
      return { error, outer: outer.aborted };
    });
    const { error, outer } = await task;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).cause).toBeInstanceOf(CancelledError);
    expect(outer).toBe(false);
  });
});

describe("a task's cancellation and the callbacks it set up", () => {
  it('a setInterval callback waiting in sleep() cannot consume it: the own code gets it next', async () => {
    const ticks: string[] = [];
    let release: (() => void) | undefined;
    const foreign = new Promise<void>((resolve) => (release = resolve));
    let timer: ReturnType<typeof setInterval> | undefined;
    const task = createTask(async () => {
      timer = setInterval(() => {
        void (async () => {
          try {
            await sleep(1);
            ticks.push('tick');
          } catch (error) {
            ticks.push((error as Error).name);
          }
        })();
      }, 1);
      await foreign; // a foreign promise: not a cancellation point
      try {
        await sleep(0); // the first corio await of the task's own code
        return 'completed normally';
      } finally {
        clearInterval(timer);
      }
    });
    while (!ticks.includes('tick')) await delay(1);
    task.cancel('stop');
    // The callbacks may see the pending cancellation meanwhile, but never take it.
    await delay(10);
    expect(task.done()).toBe(false);
    release?.();
    const error = await settled(task);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('stop');
    expect(task.cancelled()).toBe(true);
  });

  it('an EventEmitter listener awaiting after the cancel cannot take it: the task still ends cancelled', async () => {
    const emitter = new EventEmitter();
    const heard = new Future<string>();
    let release: (() => void) | undefined;
    const task = createTask(async () => {
      emitter.on('ping', async () => {
        const outcome = await settled(sleep(0));
        heard.setResult(outcome instanceof Error ? outcome.name : 'slept');
      });
      // Emitted by a timer the task set up: the listener runs in the task's context.
      setTimeout(() => emitter.emit('ping'), 5);
      await new Promise<void>((resolve) => (release = resolve));
      return 'value'; // no corio await before returning
    });
    await sleep(0);
    task.cancel();
    expect(await heard).toBe('CancelledError'); // the listener saw the cancellation...
    release?.();
    expect(await settled(task)).toBeInstanceOf(CancelledError); // ...but did not consume it
    expect(task.cancelled()).toBe(true);
  });

  it('reaches a wait begun in a Promise.all branch of the own code, and is consumed there', async () => {
    const task = createTask(async () => {
      try {
        await Promise.all([sleep(60_000), (async () => sleep(60_000))()]);
      } catch (error) {
        return `${(error as Error).name}, cancelling=${String(self().cancelling())}`;
      }
      return 'not cancelled';
    });
    await sleep(0);
    task.cancel();
    expect(await task).toBe('CancelledError, cancelling=1');
    // Caught and returned: the task completes with that value (asyncio), nothing stays pending.
    expect(task.cancelled()).toBe(false);
  });
});

describe('under run(), Ctrl-C with a node:http request in flight', () => {
  it("runs the handler's finally and main's, and exits as an interrupted program, no crash", async () => {
    const child = new Child('run-http-sigint');
    await child.waitFor('listening ');
    const port = Number(/listening (\d+)/.exec(child.output)?.[1]);
    const response = get(port, '/').catch((error: unknown) => error);
    await child.waitFor('request started');
    child.kill('SIGINT');
    const exit = await child.exited;
    expect(exit.signal, show(exit)).toBe('SIGINT');
    expect(exit.stdout).toContain('handler finally\n');
    expect(exit.stdout).toContain('main finally\n');
    expect(exit.stdout).not.toContain('unreachable');
    expect(exit.stderr, show(exit)).toBe('');
    expect(await response).toBeInstanceOf(Error); // the connection was closed, no response
  });
});
