import { spawn } from 'node:child_process';

// Shared-memory handshakes between a test and its jobs: no sleeps.

/** A few Int32 cells shared with jobs. */
export function cells(count = 4): Int32Array {
  return new Int32Array(new SharedArrayBuffer(count * Int32Array.BYTES_PER_ELEMENT));
}

// Atomics.waitAsync is in Node 20 but not in this project's `lib` (ES2023).
const { waitAsync } = Atomics as unknown as {
  waitAsync: (
    cells: Int32Array,
    index: number,
    value: number,
  ) => { async: boolean; value: Promise<string> | string };
};

/** Resolves with `cells[index]` once it is not 0, woken by the job's `Atomics.notify`. */
export async function waitForCell(cells: Int32Array, index: number): Promise<number> {
  for (;;) {
    const current = Atomics.load(cells, index);
    if (current !== 0) return current;
    const result = waitAsync(cells, index, 0);
    if (result.async) await result.value;
  }
}

/** Sets `cells[index]` and wakes whoever waits on it (a job blocked in `Atomics.wait`). */
export function setCell(cells: Int32Array, index: number, value: number): void {
  Atomics.store(cells, index, value);
  Atomics.notify(cells, index);
}

/**
 * A job that reports its thread id in `cells[slot]`, then blocks until `cells[slot + 1]` is set,
 * and returns `result`. Self-contained, so it can be sent to a worker.
 */
export async function blockingJob(
  buffer: SharedArrayBuffer,
  slot: number,
  result: string,
): Promise<string> {
  const { threadId } = await import('node:worker_threads');
  const shared = new Int32Array(buffer);
  Atomics.store(shared, slot, threadId);
  Atomics.notify(shared, slot);
  Atomics.wait(shared, slot + 1, 0);
  return result;
}

/** Runs `node ...args` from the repository's root; killed after 15 s if it hangs. */
export function runNode(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: new URL('../../../', import.meta.url).pathname, // the repository
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}
