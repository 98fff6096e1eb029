import { MAX_TIMER_DELAY } from './validate.js';

/** A one-shot timer; `ms <= 0` fires on the next turn of the event loop (setImmediate). */
export class Timer {
  readonly #handle: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate>;
  readonly #immediate: boolean;

  constructor(ms: number, callback: () => void) {
    this.#immediate = ms <= 0;
    this.#handle = this.#immediate
      ? setImmediate(callback)
      : setTimeout(callback, Math.min(ms, MAX_TIMER_DELAY));
  }

  clear(): void {
    if (this.#immediate) clearImmediate(this.#handle as ReturnType<typeof setImmediate>);
    else clearTimeout(this.#handle as ReturnType<typeof setTimeout>);
  }
}
