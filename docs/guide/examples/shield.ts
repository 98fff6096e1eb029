import assert from 'node:assert/strict';
import { CancelledError, createTask, shield, sleep } from '@corio/core';

const saved: string[] = [];
async function save(record: string): Promise<string> {
  await sleep(20);
  saved.push(record);
  return 'saved';
}

// Awaiting a task from a task that gets cancelled cancels the awaited
// task too (asyncio's rule).
const plain = createTask(() => save('draft'));
const impatient = createTask(() => plain);
await sleep(1);
impatient.cancel();
assert.ok(
  (await impatient.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.equal(plain.cancelled(), true);

// shield() opts out: the caller is cancelled, the save runs on.
const saving = createTask(() => save('order-1'));
const request = createTask(() => shield(saving));
await sleep(1);
request.cancel();
assert.ok(
  (await request.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.equal(await saving, 'saved');
assert.deepEqual(saved, ['order-1']);
