import { MAX_TIMER_DELAY } from './validate.js';

const IMMEDIATE = -1;
const ONE_TIMER = -2;

/**
 * A one-shot timer. `ms <= 0` fires on the next turn of the event loop (setImmediate). Node
 * fires a delay above 2^31-1 ms at once, so a longer one is chained through timers of the
 * longest delay; `Infinity` never fires, but keeps the event loop alive as any pending timer
 * does (a `sleep(Infinity)` in `main` serves forever, as asyncio's does).
 */
export class Timer {
  #handle: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate>;
  // IMMEDIATE, ONE_TIMER, or the deadline of a chained delay (on performance.now()'s clock).
  readonly #kind: number;

  constructor(ms: number, callback: () => void) {
    if (ms <= 0) {
      this.#kind = IMMEDIATE;
      this.#handle = setImmediate(callback);
    } else if (ms <= MAX_TIMER_DELAY) {
      this.#kind = ONE_TIMER;
      this.#handle = setTimeout(callback, ms);
    } else {
      this.#kind = performance.now() + ms;
      this.#handle = this.#chain(this.#kind, callback);
    }
  }

  /**
   * For taskTree(): the ms left before it fires, read from Node's timer (its start on the event
   * loop's clock, close to `performance.now()`); undefined where that is not known (a fake
   * timer); Infinity for `Infinity`.
   */
  remaining(): number | undefined {
    if (this.#kind === IMMEDIATE) return 0;
    if (this.#kind !== ONE_TIMER) return Math.max(0, this.#kind - performance.now());
    const handle = this.#handle as { _idleStart?: unknown; _idleTimeout?: unknown };
    const start = handle._idleStart;
    const timeout = handle._idleTimeout;
    if (typeof start !== 'number' || typeof timeout !== 'number') return undefined;
    return Math.max(0, start + timeout - performance.now());
  }

  clear(): void {
    if (this.#kind === IMMEDIATE) clearImmediate(this.#handle as ReturnType<typeof setImmediate>);
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
