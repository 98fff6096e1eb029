import assert from 'node:assert/strict';
import { createTask } from '@corio/core';

const order: string[] = [];
const tasks = ['a', 'b', 'c'].map((name) =>
  createTask(() => {
    order.push(name);
  }),
);
order.push('created');
await Promise.all(tasks);

// createTask never runs the function synchronously; tasks start in
// creation order.
assert.deepEqual(order, ['created', 'a', 'b', 'c']);
