// Random programs of tasks, the callbacks they set up, timeout scopes and task groups, with items
// put and tasks cancelled at random times, on fake timers. After every run:
// - every cancel() that returned true reached its task's own code: the task ended cancelled;
// - a CancelledError only ever reached code inside something that was cancelled (its task, an
//   expired timeout, a failed group): no scope's expiry is seen outside it;
// - no item was lost or got twice, no permit was leaked.
import { AsyncResource } from 'node:async_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Queue,
  Semaphore,
  TaskGroupError,
  TimeoutError,
  createTask,
  isCancelledError,
  sleep,
  taskGroup,
  timeout,
} from '../src/index.js';
import type { Task, TimeoutScope } from '../src/index.js';
import { fakeTimers, flushMicrotasks } from './helpers.js';

type Op =
  | { kind: 'sleep'; ms: number }
  | { kind: 'get' }
  | { kind: 'permit'; ms: number }
  | { kind: 'timeout'; ms: number; body: Op[] }
  | { kind: 'group'; children: Op[][]; failAfter: number | null }
  | { kind: 'callback'; delay: number; body: Op[] };

const ms = fc.integer({ min: 0, max: 40 });
const { op } = fc.letrec<{ op: Op; ops: Op[] }>((tie) => ({
  op: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('sleep' as const), ms }),
    fc.record({ kind: fc.constant('get' as const) }),
    fc.record({ kind: fc.constant('permit' as const), ms }),
    fc.record({ kind: fc.constant('timeout' as const), ms, body: tie('ops') }),
    fc.record({
      kind: fc.constant('group' as const),
      children: fc.array(tie('ops'), { maxLength: 2 }),
      failAfter: fc.option(ms, { nil: null }),
    }),
    fc.record({ kind: fc.constant('callback' as const), delay: ms, body: tie('ops') }),
  ),
  ops: fc.array(tie('op'), { maxLength: 3 }),
}));
const program = fc.array(op, { minLength: 1, maxLength: 4 });
const event = fc.oneof(
  fc.record({ at: fc.integer({ min: 0, max: 120 }), kind: fc.constant('put' as const) }),
  fc.record({
    at: fc.integer({ min: 0, max: 120 }),
    kind: fc.constant('cancel' as const),
    task: fc.nat({ max: 2 }),
  }),
);

/** Where code runs: may a CancelledError reach it now? */
interface Context {
  readonly label: string;
  /** Whether something enclosing this code has been cancelled (so it may see a cancellation). */
  readonly cancelled: () => boolean;
}

class World {
  readonly queue = new Queue<number>();
  readonly sem = new Semaphore(2);
  readonly got: number[] = [];
  readonly violations: string[] = [];
  readonly done: Promise<unknown>[] = [];
  putCount = 0;

  /** Runs `ops` in order; CancelledError is recorded and rethrown, as well-behaved code does. */
  async run(ops: Op[], context: Context): Promise<void> {
    for (const step of ops) {
      try {
        await this.#step(step, context);
      } catch (error) {
        if (isCancelledError(error) && !context.cancelled()) {
          this.violations.push(`${context.label}: CancelledError reached code nothing cancelled`);
        }
        throw error;
      }
    }
  }

  async #step(step: Op, context: Context): Promise<void> {
    switch (step.kind) {
      case 'sleep':
        await sleep(step.ms);
        return;
      case 'get':
        this.got.push(await this.queue.get());
        return;
      case 'permit':
        await this.sem.use(() => sleep(step.ms));
        return;
      case 'timeout': {
        let scope: TimeoutScope | undefined;
        const inner: Context = {
          label: `${context.label} > timeout`,
          cancelled: () => context.cancelled() || scope?.expired() === true,
        };
        try {
          await timeout(step.ms, (s) => {
            scope = s;
            return this.run(step.body, inner);
          });
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
          if (scope?.expired() !== true)
            this.violations.push(`${inner.label}: TimeoutError, not expired`);
        }
        return;
      }
      case 'group': {
        let failed = false;
        const inner: Context = {
          label: `${context.label} > group`,
          cancelled: () => context.cancelled() || failed,
        };
        try {
          await taskGroup(async (tg) => {
            step.children.forEach((child, i) => {
              tg.createTask(() =>
                this.run(child, { ...inner, label: `${inner.label} > child ${String(i)}` }),
              );
            });
            if (step.failAfter !== null) {
              const after = step.failAfter;
              tg.createTask(async () => {
                await sleep(after);
                failed = true;
                throw new Error('child failure');
              });
            }
            await sleep(50);
          });
        } catch (error) {
          if (!(error instanceof TaskGroupError)) throw error;
        }
        return;
      }
      case 'callback': {
        const inner: Context = {
          label: `${context.label} > callback`,
          cancelled: context.cancelled,
        };
        // Node's timers run a callback in the async context it was set up in; fake timers run
        // it in the context of the code that advances the clock, so bind it as Node would.
        const callback = AsyncResource.bind(() => {
          // A callback swallows what it sees: its errors are nobody's to await.
          this.done.push(this.run(step.body, inner).catch(() => undefined));
        });
        setTimeout(callback, step.delay);
        return;
      }
    }
  }
}

async function runProgram(
  programs: Op[][],
  events: { at: number; kind: 'put' | 'cancel'; task?: number }[],
): Promise<void> {
  using clock = fakeTimers();
  const world = new World();
  const cancelled = programs.map(() => false);
  const tasks: Task<void>[] = programs.map((ops, i) =>
    createTask(() =>
      world.run(ops, { label: `task ${String(i)}`, cancelled: () => cancelled[i] === true }),
    ),
  );
  const requested = programs.map(() => false);
  let now = 0;
  for (const e of [...events].sort((x, y) => x.at - y.at)) {
    await clock.advance(e.at - now);
    now = e.at;
    if (e.kind === 'put') {
      world.queue.putNowait(world.putCount++);
    } else {
      const i = (e.task ?? 0) % tasks.length;
      cancelled[i] = true;
      if (tasks[i]?.cancel() === true) requested[i] = true;
    }
  }
  // Wind down: let everything run, then cancel what is left and let the cleanups finish.
  await clock.advance(400);
  tasks.forEach((task, i) => {
    cancelled[i] = true;
    if (task.cancel()) requested[i] = true;
  });
  for (let round = 0; round < 20; round++) {
    // Callbacks that outlived their task wait outside any task: feed their gets.
    const getters = Number(/getters=(\d+)/.exec(String(world.queue))?.[1] ?? 0);
    for (let n = 0; n < getters; n++) world.queue.putNowait(world.putCount++);
    await clock.advance(100);
  }
  await Promise.allSettled(world.done);
  await flushMicrotasks();

  expect(world.violations).toEqual([]);
  tasks.forEach((task, i) => {
    expect(task.done(), `task ${String(i)} done`).toBe(true);
    // A cancel that was accepted reached the task's own code (which always rethrows it).
    if (requested[i] === true) expect(task.cancelled(), `task ${String(i)} cancelled`).toBe(true);
  });
  const left: number[] = [];
  while (!world.queue.empty()) left.push(world.queue.getNowait());
  expect([...world.got, ...left].sort((a, b) => a - b)).toEqual(
    Array.from({ length: world.putCount }, (_, i) => i),
  );
  expect(world.sem.value).toBe(2);
  expect(String(world.sem)).toBe('<Semaphore [unlocked, value:2]>');
}

describe('scopes, callbacks and cancels (properties)', () => {
  it('cancels reach their task, scopes cancel only what runs inside them, nothing is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(program, { minLength: 1, maxLength: 3 }),
        fc.array(event, { maxLength: 12 }),
        runProgram,
      ),
      { numRuns: 150 },
    );
  });
});
