import assert from 'node:assert/strict';
// Before: import pLimit from 'p-limit'; const limit = pLimit(2);
import { CancelledError, limiter, sleep } from '@corio/core';

const limit = limiter(2);
const fetchPage = async (page: number): Promise<string> => {
  await sleep(5);
  return `page ${String(page)}`;
};

// The same calls as p-limit: limit(fn, ...args) and limit.map().
const calls = [1, 2, 3, 4].map((page) => limit(fetchPage, page));
assert.equal(limit.activeCount, 2);
assert.equal(limit.pendingCount, 2);
assert.deepEqual(await Promise.all(calls), [
  'page 1',
  'page 2',
  'page 3',
  'page 4',
]);
assert.deepEqual(await limit.map([5, 6], fetchPage), [
  'page 5',
  'page 6',
]);

// clearQueue(): p-limit leaves the dropped promises pending forever;
// corio cancels their tasks.
const more = [7, 8, 9].map((page) => limit(fetchPage, page));
limit.clearQueue();
const settled = await Promise.allSettled(more);
assert.deepEqual(
  settled.map((s) => s.status),
  ['fulfilled', 'fulfilled', 'rejected'],
);
assert.ok(
  settled[2]?.status === 'rejected' &&
    settled[2].reason instanceof CancelledError,
);

// concurrency is settable, as in p-limit.
limit.concurrency = 4;
assert.equal(limit.concurrency, 4);
