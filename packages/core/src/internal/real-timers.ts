// Node's own timer functions, even while vitest's fake timers (@sinonjs/fake-timers) replace the
// globals: the virtual clock's machinery must keep running on real time when a test fakes the
// timers of other code (testing-with-virtual-time.md, "With vitest's fake timers").

import { markOwn } from './resources.js';

type TimerName = 'setTimeout' | 'clearTimeout' | 'setImmediate' | 'clearImmediate';

/** The real function behind a global that @sinonjs/fake-timers may have replaced. */
function real<N extends TimerName>(name: N): (typeof globalThis)[N] {
  const fn = globalThis[name];
  // A fake carries its clock, which keeps the original as `_<name>`.
  const clock = (fn as { clock?: Partial<Record<`_${N}`, (typeof globalThis)[N]>> }).clock;
  return clock?.[`_${name}`] ?? fn;
}

/** Calls `callback` on the next turn of the event loop (a real immediate). */
export function realImmediate(callback: () => void): NodeJS.Immediate {
  return markOwn(real('setImmediate')(callback));
}

/** Calls `callback` after `ms` ms of real time. */
export function realTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  return markOwn(real('setTimeout')(callback, ms));
}

/** Clears a handle from {@link realImmediate} or {@link realTimeout}. */
export function clearReal(handle: NodeJS.Immediate | NodeJS.Timeout | undefined): void {
  if (handle === undefined) return;
  if ('hasRef' in handle && 'refresh' in handle) real('clearTimeout')(handle);
  else real('clearImmediate')(handle);
}

/** One real turn of the event loop: microtasks, pending I/O callbacks and immediates run. */
export function realTurn(): Promise<void> {
  return new Promise((resolve) => realImmediate(resolve));
}
