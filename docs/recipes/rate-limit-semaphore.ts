import assert from 'node:assert/strict';
import {
  Semaphore,
  createTask,
  gather,
  now,
  run,
  sleep,
} from '@corio/core';

// At most `calls` starts in any window of `perMs`: each start takes a
// permit, and the permit comes back one window later. Waiters are
// served in FIFO order.
class RateLimit {
  readonly #permits: Semaphore;
  readonly #perMs: number;

  constructor(calls: number, perMs: number) {
    this.#permits = new Semaphore(calls);
    this.#perMs = perMs;
  }

  async wait(): Promise<void> {
    // a cancellation point: a cancelled waiter takes no permit
    await this.#permits.acquire();
    // Give the permit back later, from a task of its own. If the
    // program ends first, run() cancels that task, which clears its
    // timer.
    createTask(async () => {
      await sleep(this.#perMs);
      this.#permits.release();
    });
  }
}

const CALLS = 3;
const PER_MS = 200;

await run(async () => {
  const limit = new RateLimit(CALLS, PER_MS);
  const started: number[] = [];

  async function callApi(id: number): Promise<string> {
    await limit.wait();
    started.push(now());
    await sleep(5); // the call itself
    return `reply ${String(id)}`;
  }

  const replies = await gather(
    Array.from({ length: 9 }, (_, id) => callApi(id)),
  );
  const [first = '', last = ''] = [replies[0], replies.at(-1)];
  const count = String(replies.length);
  console.log(`${count} calls made, in order: ${first} ... ${last}`);

  // Any CALLS + 1 consecutive starts span a window. (Checked with
  // slack: timers count from the event loop's cached clock, so on a
  // busy machine one can fire a little early by now().)
  for (let i = CALLS; i < started.length; i++) {
    assert.ok(
      (started[i] ?? 0) - (started[i - CALLS] ?? 0) >= PER_MS / 2,
    );
  }
  const span = `${String(PER_MS)} ms`;
  console.log(
    `never more than ${String(CALLS)} calls started within ${span}`,
  );
});
