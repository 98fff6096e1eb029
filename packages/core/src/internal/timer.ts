import type { ClockEntry } from './clock.js';
import { runtime } from './current.js';
import { MAX_TIMER_DELAY } from './validate.js';

const IMMEDIATE = 0;
const TIMEOUT = 1;
const VIRTUAL = 2;

/**
 * A one-shot timer. `ms <= 0` fires on the next turn of the event loop (setImmediate). Node
 * fires a delay above 2^31-1 ms at once, so a longer one is chained through timers of the
 * longest delay; `Infinity` never fires, but keeps the event loop alive as any pending timer
 * does (a `sleep(Infinity)` in `main` serves forever, as asyncio's does).
 *
 * While a clock is installed (`@corio/core/testing`), a timer of `ms > 0` is scheduled on it
 * instead (a clock that is uninstalled hands its pending timers over to real timers); `ms <= 0`
 * is a turn of the event loop, not time, and stays an immediate. A timer made before the clock
 * was installed keeps real time.
 */
export class Timer {
  #handle: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | ClockEntry;
  readonly #kind: typeof IMMEDIATE | typeof TIMEOUT | typeof VIRTUAL;

  constructor(ms: number, callback: () => void) {
    if (ms <= 0) {
      this.#kind = IMMEDIATE;
      this.#handle = setImmediate(callback);
      return;
    }
    const clock = runtime.clock;
    if (clock !== undefined) {
      this.#kind = VIRTUAL;
      this.#handle = clock.at(clock.now() + ms, callback);
      return;
    }
    this.#kind = TIMEOUT;
    if (ms <= MAX_TIMER_DELAY) this.#handle = setTimeout(callback, ms);
    else this.#handle = this.#chain(performance.now() + ms, callback);
  }

  clear(): void {
    if (this.#kind === IMMEDIATE) clearImmediate(this.#handle as ReturnType<typeof setImmediate>);
    else if (this.#kind === TIMEOUT) clearTimeout(this.#handle as ReturnType<typeof setTimeout>);
    else (this.#handle as ClockEntry).cancel();
  }

  #chain(deadline: number, callback: () => void): ReturnType<typeof setTimeout> {
    const remaining = deadline - performance.now();
    if (remaining <= MAX_TIMER_DELAY) return setTimeout(callback, remaining);
    return setTimeout(() => {
      this.#handle = this.#chain(deadline, callback);
    }, MAX_TIMER_DELAY);
  }
}
