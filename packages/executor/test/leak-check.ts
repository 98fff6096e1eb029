// The check behind the shared afterEach in setup.ts: no executor worker thread outlives a test.
import type { Worker } from 'node:worker_threads';

// Registries under well-known symbols (see src/internal/live-workers.ts and core's run()), read
// without importing the packages, so the check costs nothing in tests that never use workers.
const LIVE_WORKERS = Symbol.for('corio.executor.liveWorkers');
const SHUTDOWN_HOOKS = Symbol.for('corio.run.shutdownHooks');

interface Holder {
  [LIVE_WORKERS]?: Set<Worker>;
  [SHUTDOWN_HOOKS]?: Set<() => PromiseLike<unknown> | undefined>;
}

/** The executor's worker threads that have not exited. */
export function liveWorkerThreads(): Worker[] {
  return [...((globalThis as Holder)[LIVE_WORKERS] ?? [])];
}

/**
 * Ends the program-wide resources as core's `run()` does when `main` returns (the default pool of
 * `toThread`), then gives the workers being terminated up to `graceMs` to exit. Resolves with the
 * thread ids of those still alive: workers of a pool the test never shut down.
 */
export async function workersLeftBehind(graceMs = 2000): Promise<number[]> {
  if (liveWorkerThreads().length === 0) return [];
  const hooks = [...((globalThis as Holder)[SHUTDOWN_HOOKS] ?? [])];
  const settled = (async () => {
    await Promise.all(hooks.map(async (hook) => hook()));
    const exits = liveWorkerThreads().map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.once('exit', () => {
            resolve();
          });
        }),
    );
    await Promise.all(exits);
  })();
  settled.catch(() => undefined); // Reported through the race below, or too late to matter.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    settled,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
  ]);
  clearTimeout(timer);
  return liveWorkerThreads().map((worker) => worker.threadId);
}
