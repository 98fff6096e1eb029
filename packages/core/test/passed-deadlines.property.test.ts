// Property test for deadlines that have already passed (`waitFor(x, 0)`, `waitFor(x, -1)`,
// `timeout(0, body)`): random mixes of gets and acquires in every form corio takes (a promise,
// a function, a task made just before, a timeout body), begun from tasks and from the timer and
// immediate callbacks tasks set up, with items put and permits released at random moments. Such
// a deadline expires once the code running now has settled: whatever finishes first keeps its
// outcome, the rest times out, and nothing is lost either way: every item put is got or still
// queued, every permit is held by someone who got it or free.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Queue,
  Semaphore,
  TimeoutError,
  createTask,
  gather,
  isTimeoutError,
  sleep,
  timeout,
  waitFor,
} from '../src/index.js';

type Form = 'promise' | 'function' | 'task' | 'timeout';
type Where = 'task' | 'timer' | 'immediate';

interface Op {
  readonly what: 'get' | 'acquire' | 'put' | 'release';
  readonly form: Form;
  readonly where: Where;
  readonly ms: 0 | -1;
  /** Turns of the event loop to let pass before the op (0: at once). */
  readonly after: number;
}

const op: fc.Arbitrary<Op> = fc.record({
  what: fc.constantFrom('get' as const, 'acquire' as const, 'put' as const, 'release' as const),
  form: fc.constantFrom(
    'promise' as const,
    'function' as const,
    'task' as const,
    'timeout' as const,
  ),
  where: fc.constantFrom('task' as const, 'timer' as const, 'immediate' as const),
  ms: fc.constantFrom(0 as const, -1 as const),
  after: fc.nat({ max: 2 }),
});

const PERMITS = 2;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `body` in the place `where` names: the task itself, or a callback it sets up. */
function inPlace<T>(where: Where, body: () => Promise<T>): Promise<T> {
  if (where === 'task') return body();
  return new Promise<T>((resolve, reject) => {
    const run = (): void => {
      body().then(resolve, reject);
    };
    if (where === 'timer') setTimeout(run, 0);
    else setImmediate(run);
  });
}

/** `aw` under a deadline already passed, in the form given. */
function underPassedDeadline<T>(form: Form, ms: 0 | -1, start: () => Promise<T>): Promise<T> {
  switch (form) {
    case 'promise':
      return waitFor(start(), ms);
    case 'function':
      return waitFor(start, ms);
    case 'task': {
      const task = createTask(start);
      return waitFor(task, ms);
    }
    case 'timeout':
      return timeout(ms, start);
  }
}

describe('deadlines already passed', () => {
  it('lose no item and no permit, from tasks and from callbacks they set up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const queue = new Queue<number>();
        const sem = new Semaphore(PERMITS);
        let put = 0;
        let got = 0;
        let held = 0;
        let timedOut = 0;
        const tasks = ops.map((o, i) =>
          createTask(async () => {
            for (let t = 0; t < o.after; t++) await turn();
            await inPlace(o.where, async () => {
              try {
                if (o.what === 'put') {
                  queue.putNowait(i);
                  put++;
                } else if (o.what === 'release') {
                  // Only a permit someone holds is given back.
                  if (held > 0) {
                    held--;
                    sem.release();
                  }
                } else if (o.what === 'get') {
                  await underPassedDeadline(o.form, o.ms, () => queue.get());
                  got++;
                } else {
                  await underPassedDeadline(o.form, o.ms, () => sem.acquire());
                  held++;
                }
              } catch (error) {
                if (!isTimeoutError(error)) throw error;
                timedOut++;
              }
            });
          }),
        );
        await gather(tasks);
        // Cancelled inner work (a getter, an acquire) has finished by now; let any stray
        // hand-off that would be a leak happen before counting.
        await sleep(0);
        await turn();
        expect(got + queue.qsize()).toBe(put);
        expect(held + sem.value).toBe(PERMITS);
        expect(sem.toString()).not.toMatch(/waiters:[1-9]/);
        expect(timedOut).toBeLessThanOrEqual(ops.length);
      }),
      { numRuns: 120 },
    );
  });

  it('time out a wait that must suspend, and keep what is there already', async () => {
    const queue = new Queue<string>();
    const outcomes = await gather(
      (['promise', 'function', 'task', 'timeout'] as const).map(
        (form) => () => underPassedDeadline(form, 0, () => queue.get()).catch((e: unknown) => e),
      ),
    );
    expect(outcomes.map((o) => o instanceof TimeoutError)).toEqual([true, true, true, true]);
    queue.putNowait('a');
    queue.putNowait('b');
    queue.putNowait('c');
    queue.putNowait('d');
    const kept = await gather(
      (['promise', 'function', 'task', 'timeout'] as const).map(
        (form) => () => underPassedDeadline(form, -1, () => queue.get()),
      ),
    );
    // Each form kept the item its get took (in the order the gets ran, not the forms').
    expect([...kept].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(queue.empty()).toBe(true);
  });
});
