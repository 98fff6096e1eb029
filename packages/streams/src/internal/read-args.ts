// Validation of the reads' arguments.
import { toBytes } from './byte-buffer.js';

/** readUntil's default separator, and readLine's. */
export const NEWLINE = Buffer.from('\n');
/**
 * readLine()'s separators, as `separators('\n')` gives them: one list shared by every reader, so
 * the line path builds none.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 *
 * const NEWLINES = [Buffer.from('\n')]; // its value
 * assert.equal(NEWLINES[0]?.toString(), '\n');
 * ```
 */
export const NEWLINES: readonly Buffer[] = [NEWLINE];

// The last string separator readUntil() was given, and its bytes: a loop that reads with one
// separator (an HTTP server's '\r\n\r\n') neither encodes nor validates it again each time.
let lastText = '\n';
let lastSeparators: readonly Buffer[] = NEWLINES;

/**
 * The bytes of a separator seen before (the default, or the last string), without validation
 * or allocation; `undefined` for any other (`separators()` then validates it). A Uint8Array is
 * never remembered: its caller may change it between reads.
 */
export function knownSeparators(separator: unknown): readonly Buffer[] | undefined {
  if (separator === NEWLINE) return NEWLINES;
  if (typeof separator !== 'string') return undefined;
  if (separator === lastText) return lastSeparators;
  if (separator.length === 0) return undefined;
  lastText = separator;
  lastSeparators = [Buffer.from(separator, 'utf8')];
  return lastSeparators;
}

/** Renders a received value for an error message. */
export function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Validates a read size. */
export function checkSize(method: string, n: unknown, allowNegative: boolean): number {
  if (typeof n !== 'number') {
    throw new TypeError(`${method}: 'n' must be a number, received ${typeof n}`);
  }
  if (!Number.isInteger(n) || (!allowNegative && n < 0)) {
    throw new RangeError(
      `${method}: 'n' must be a ${allowNegative ? '' : 'non-negative '}integer, received ${describe(n)}`,
    );
  }
  return n;
}

/** Validates `readUntil`'s separators: the Buffers, shortest first. */
export function separators(separator: unknown): Buffer[] {
  const list: unknown[] = Array.isArray(separator) ? (separator as unknown[]) : [separator];
  if (list.length === 0) {
    throw new RangeError("readUntil: 'separator' must contain at least one element, received []");
  }
  const result = list.map((sep) => {
    if (typeof sep !== 'string' && !(sep instanceof Uint8Array)) {
      throw new TypeError(
        `readUntil: 'separator' must be a string or a Uint8Array, received ${typeof sep}`,
      );
    }
    const bytes = toBytes(sep);
    if (bytes.length === 0) {
      throw new RangeError(`readUntil: 'separator' must not be empty, received ${describe(sep)}`);
    }
    return bytes;
  });
  return result.sort((a, b) => a.length - b.length);
}
