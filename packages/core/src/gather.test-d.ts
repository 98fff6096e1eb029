import { describe, expectTypeOf, it } from 'vitest';
import type { Future, Task } from './index.js';
import { gather } from './index.js';

declare const str: Promise<string>;
declare const num: Task<number>;
declare const fut: Future<boolean>;
declare const fn: () => Promise<Date>;
declare const syncFn: () => bigint;

describe('gather', () => {
  it('types a tuple of awaitables like Promise.all', () => {
    expectTypeOf(gather([str, num, fut])).toEqualTypeOf<Future<[string, number, boolean]>>();
    expectTypeOf(gather([fn, syncFn])).toEqualTypeOf<Future<[Date, bigint]>>();
  });

  it('gives the tuple when awaited', async () => {
    const [a, b] = await gather([str, num]);
    expectTypeOf(a).toEqualTypeOf<string>();
    expectTypeOf(b).toEqualTypeOf<number>();
  });

  it('types an empty input as an empty tuple', () => {
    expectTypeOf(gather([])).toEqualTypeOf<Future<[]>>();
  });

  it('adds Error to each element with returnExceptions: true', () => {
    expectTypeOf(gather([str, num], { returnExceptions: true })).toEqualTypeOf<
      Future<[string | Error, number | Error]>
    >();
  });

  it('keeps the plain tuple when returnExceptions is false or not known', () => {
    expectTypeOf(gather([str, num], { returnExceptions: false })).toEqualTypeOf<
      Future<[string, number]>
    >();
    expectTypeOf(gather([str], {})).toEqualTypeOf<Future<[string]>>();
  });

  it('types an array of one awaitable type as an array', () => {
    const many: Promise<number>[] = [];
    expectTypeOf(gather(many)).toEqualTypeOf<Future<number[]>>();
    expectTypeOf(gather(many, { returnExceptions: true })).toEqualTypeOf<
      Future<(number | Error)[]>
    >();
  });

  it('accepts any iterable and types the result as an array', () => {
    const set = new Set<Promise<string>>();
    expectTypeOf(gather(set)).toEqualTypeOf<Future<string[]>>();
    expectTypeOf(gather(set, { returnExceptions: true })).toEqualTypeOf<
      Future<(string | Error)[]>
    >();
    function* tasks(): Generator<Task<number>> {
      yield num;
    }
    expectTypeOf(gather(tasks())).toEqualTypeOf<Future<number[]>>();
  });

  it('rejects what is not awaitable', () => {
    // @ts-expect-error -- a number is not an awaitable
    gather([str, 42]);
    // @ts-expect-error -- not an iterable
    gather(5);
  });
});
