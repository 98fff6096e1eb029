import { describe, expectTypeOf, it } from 'vitest';
import type { Future, Task } from './index.js';

declare const task: Task<number>;
declare const future: Future<string>;

describe('Future', () => {
  it('is assignable to Promise<T>, so a task goes where a promise is typed', () => {
    expectTypeOf(task).toExtend<Promise<number>>();
    expectTypeOf(future).toExtend<Promise<string>>();
    expectTypeOf(future).not.toExtend<Promise<number>>();
  });
});
