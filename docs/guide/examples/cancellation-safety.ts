import assert from 'node:assert/strict';
import {
  CancelledError,
  Queue,
  Semaphore,
  createTask,
  sleep,
} from '@corio/core';

// A get() cancelled in the very tick an item was handed to it gives the
// item back.
const queue = new Queue<string>();
const getter = createTask(() => queue.get());
await sleep(0); // the getter waits in get()
queue.putNowait('job-1'); // handed straight to the waiting getter...
getter.cancel(); // ...which is cancelled before it resumed
assert.ok(
  (await getter.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.equal(queue.getNowait(), 'job-1'); // not lost

// The same for a permit: a cancelled waiter never keeps it.
const sem = new Semaphore(0);
const waiter = createTask(() => sem.acquire());
await sleep(0);
sem.release(); // the permit goes to the waiter...
waiter.cancel(); // ...which gives it back
assert.ok(
  (await waiter.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.equal(sem.value, 1);

// A cancelled waiter leaves the queue: the others keep their order.
const lock = new Semaphore(1);
await lock.acquire();
const order: string[] = [];
const enter = (name: string) =>
  createTask(() =>
    lock.use(() => {
      order.push(name);
    }),
  );
const first = enter('first');
const second = enter('second');
const third = enter('third');
await sleep(0); // all three wait in acquire(), in this order
second.cancel();
lock.release();
await Promise.all([first, third]);
assert.ok(
  (await second.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.deepEqual(order, ['first', 'third']);
