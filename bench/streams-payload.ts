// The payloads of the streams benchmark, shared by the clients and the report.

export const ECHO_BYTES = 256 * 1024 * 1024;
export const CHUNK = 64 * 1024;
export const LINES = 1_000_000;
export const LINE_LENGTH = 16;

/** `LINES` lines of `LINE_LENGTH` bytes, each ending in `\n`. */
export function linesPayload(): Buffer {
  const payload = Buffer.alloc(LINES * LINE_LENGTH);
  for (let i = 0; i < LINES; i++) {
    payload.write(`line ${String(i).padStart(LINE_LENGTH - 6, '0')}\n`, i * LINE_LENGTH, 'latin1');
  }
  return payload;
}
