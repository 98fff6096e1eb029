// The separator search of readUntil() and readLine(), over the reader's ByteBuffer.
import type { ByteBuffer } from './byte-buffer.js';

/** Where a separator was found: its first byte and the byte after its last (live offsets). */
export interface Match {
  start: number;
  end: number;
}

/**
 * Finds the shortest data that ends with one of `seps` (asyncio 3.13's rule for several
 * separators), searching from `from`: fills `match` and returns true, or returns false. The
 * caller passes a `match` it reuses, so a search allocates nothing.
 */
export function findSeparator(
  buffer: ByteBuffer,
  seps: readonly Buffer[],
  from: number,
  match: Match,
): boolean {
  let start = -1;
  let end = -1;
  for (const sep of seps) {
    const index =
      sep.length === 1 ? buffer.indexOfByte(sep[0] as number, from) : buffer.indexOf(sep, from);
    if (index !== -1 && (end === -1 || index + sep.length < end)) {
      start = index;
      end = index + sep.length;
    }
  }
  if (end === -1) return false;
  match.start = start;
  match.end = end;
  return true;
}
