import type { Worker } from 'node:worker_threads';

/**
 * The executor's worker threads that have not exited yet, in a registry under a well-known
 * global symbol (shared by every copy of corio in the process) so a test setup can check that a
 * test left none behind without importing the package. Not part of the public API.
 */
export const LIVE_WORKERS = Symbol.for('corio.executor.liveWorkers');

const holder = globalThis as { [LIVE_WORKERS]?: Set<Worker> };

/** The registry, made on first use. */
export function liveWorkers(): Set<Worker> {
  return (holder[LIVE_WORKERS] ??= new Set());
}
