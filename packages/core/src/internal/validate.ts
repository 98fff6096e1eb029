/**
 * Checks a duration in milliseconds. A negative duration is a deadline already passed (as in
 * asyncio); NaN and non-numbers are bad input.
 */
export function checkDuration(
  where: string,
  name: string,
  value: unknown,
): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(
      `${where}: '${name}' must be a number of milliseconds, received ${show(value)}`,
    );
  }
  if (Number.isNaN(value)) {
    throw new RangeError(`${where}: '${name}' must be a number of milliseconds, received NaN`);
  }
}

/** Like checkDuration, but `null` (no limit) is allowed too. */
export function checkOptionalDuration(
  where: string,
  name: string,
  value: unknown,
): asserts value is number | null {
  if (value !== null) checkDuration(where, name, value);
}

/** Renders a received value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'bigint') return `${String(value)}n`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Node's longest timer delay; larger delays fire at once, so they are clamped. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** Whether `value` has a `then` method (a promise, a future, any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Whether `value` can be iterated with `for…of`. */
export function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    value !== null &&
    value !== undefined &&
    typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function'
  );
}
