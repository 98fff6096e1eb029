import assert from 'node:assert/strict';
import {
  Lock,
  Semaphore,
  createTask,
  gather,
  sleep,
} from '@corio/core';

// async-mutex: mutex.runExclusive(fn) → lock.use(fn)
const lock = new Lock();
let balance = 100;
async function withdraw(amount: number): Promise<void> {
  await lock.use(async () => {
    const current = balance;
    // without the lock, the other withdrawal would read a stale balance
    await sleep(1);
    balance = current - amount;
  });
}
await gather([() => withdraw(30), () => withdraw(20)]);
assert.equal(balance, 50);

// async-mutex: const release = await sem.acquire() → await using,
// released at the end of scope
const sem = new Semaphore(2);
async function download(): Promise<void> {
  await using _permit = await sem.guard();
  assert.ok(sem.value < 2);
  await sleep(1);
}
await gather([download, download, download]);
assert.equal(sem.value, 2);

// A waiter can be cancelled (or given an AbortSignal); it never keeps
// the lock.
await lock.acquire();
const waiting = createTask(() => lock.acquire());
await sleep(0);
waiting.cancel();
lock.release();
assert.equal(lock.locked(), false);
