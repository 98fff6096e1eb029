import type { Guard } from '../semaphore.js';

/** A guard that calls `release` once, on the first disposal (sync or async). */
export function releaseGuard(release: () => void): Guard {
  let released = false;
  const dispose = (): void => {
    if (released) return;
    released = true;
    release();
  };
  return {
    [Symbol.dispose]: dispose,
    [Symbol.asyncDispose]: () => {
      dispose();
      return Promise.resolve();
    },
  };
}
