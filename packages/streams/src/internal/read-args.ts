// Validation of the reads' arguments.
import { toBytes } from './byte-buffer.js';

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
