import { afterEach, expect } from 'vitest';
import { allTasks } from '../src/index.js';
import { nextTurn } from './helpers.js';

// Every test must clean up after itself: no task left pending, no timer left armed.
afterEach(async () => {
  await nextTurn();
  const pending = [...allTasks()].map(String);
  for (const task of allTasks()) task.cancel();
  expect(pending, 'tasks left pending by the test').toEqual([]);
});
