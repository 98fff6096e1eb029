import assert from 'node:assert/strict';
import pTimeout, { TimeoutError as PTimeoutError } from 'p-timeout';
import { TimeoutError, sleep, timeout } from '@corio/core';

let rowsWritten = 0;
async function importRows(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await sleep(10);
    rowsWritten++;
  }
}

// p-timeout rejects at the deadline, but the import goes on in the
// background.
await assert.rejects(
  pTimeout(importRows(), { milliseconds: 15 }),
  PTimeoutError,
);
await sleep(100);
assert.equal(rowsWritten, 5);

// corio's timeout cancels the import at its current await and waits for
// it to stop.
rowsWritten = 0;
await assert.rejects(timeout(15, importRows), TimeoutError);
const atDeadline = rowsWritten;
await sleep(100);
assert.equal(rowsWritten, atDeadline); // nothing more was written
assert.ok(atDeadline < 5);
