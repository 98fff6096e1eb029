import assert from 'node:assert/strict';
import {
  CancelledError,
  TimeoutError,
  isCancelledError,
  sleep,
  timeout,
} from '@corio/core';
import type { TimeoutScope } from '@corio/core';

let scope: TimeoutScope | undefined;
let cleanedUp = false;
const error = await timeout(20, async (s) => {
  scope = s;
  try {
    await sleep(60_000);
  } catch (e) {
    // Inside the body the deadline arrives as a CancelledError, like
    // any cancellation.
    cleanedUp = isCancelledError(e);
    throw e;
  }
}).catch((e: unknown) => e);

// Leaving the scope, it became a TimeoutError whose cause is that
// CancelledError.
assert.ok(error instanceof TimeoutError);
assert.ok(error.cause instanceof CancelledError);
assert.equal(cleanedUp, true);
assert.equal(scope?.expired(), true);
