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
  // IMMEDIATE, TIMEOUT or VIRTUAL; or, for a delay chained through Node timers (longer than
  // Node's limit), its deadline on performance.now()'s clock (Infinity for Infinity), which
  // taskTree() reads. Always above VIRTUAL: the delay is over 2^31 ms.
  readonly #kind: number;

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
    if (ms <= MAX_TIMER_DELAY) {
      this.#kind = TIMEOUT;
      this.#handle = setTimeout(callback, ms);
    } else {
      this.#kind = performance.now() + ms;
      this.#handle = this.#chain(this.#kind, callback);
    }
  }

  /**
   * For taskTree(): the ms left before it fires; undefined where that is not known (a fake
   * timer); Infinity for `Infinity`. A Node timer's is read from the timer (its start on the
   * event loop's clock, close to `performance.now()`), a virtual one's from its entry.
   */
  remaining(): number | undefined {
    const kind = this.#kind;
    if (kind === IMMEDIATE) return 0;
    if (kind === VIRTUAL) {
      const when = (this.#handle as { when?: unknown }).when;
      const clock = runtime.clock;
      return typeof when === 'number' && clock !== undefined
        ? Math.max(0, when - clock.now())
        : undefined;
    }
    if (kind !== TIMEOUT) return Math.max(0, kind - performance.now());
    const handle = this.#handle as { _idleStart?: unknown; _idleTimeout?: unknown };
    const start = handle._idleStart;
    const timeout = handle._idleTimeout;
    if (typeof start !== 'number' || typeof timeout !== 'number') return undefined;
    return Math.max(0, start + timeout - performance.now());
  }

  clear(): void {
    if (this.#kind === IMMEDIATE) clearImmediate(this.#handle as ReturnType<typeof setImmediate>);
    else if (this.#kind === VIRTUAL) (this.#handle as ClockEntry).cancel();
    else clearTimeout(this.#handle as ReturnType<typeof setTimeout>);
  }

  #chain(deadline: number, callback: () => void): ReturnType<typeof setTimeout> {
    const remaining = deadline - performance.now();
    if (remaining <= MAX_TIMER_DELAY) return setTimeout(callback, remaining);
    return setTimeout(() => {
      this.#handle = this.#chain(deadline, callback);
    }, MAX_TIMER_DELAY);
  }
}
