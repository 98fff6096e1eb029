import { afterEach, expect } from 'vitest';
import { liveWorkerThreads, workersLeftBehind } from './leak-check.js';

// Every test must end the worker threads it started (shut its pools down); the default pool is
// ended here as run() ends it when main returns.
afterEach(async () => {
  const left = await workersLeftBehind();
  // Terminated so that one leaky test does not fail the next ones too.
  for (const worker of liveWorkerThreads()) void worker.terminate();
  expect(left, 'executor worker threads left running by the test (thread ids)').toEqual([]);
});
