import type { VirtualClock } from '../virtual-clock.js';
import { ACTIVITY, ADVANCING, FIRE_NEXT } from '../virtual-clock.js';
import { clearReal, realImmediate, realTimeout } from './real-timers.js';
import type { ForeignWork } from './resources.js';

/** How often, in real ms, the autojump looks again while foreign work is in progress. */
const POLL_MS = 1;

/**
 * Moves a virtual clock to its next deadline whenever the program is idle (Trio's autojump):
 * no microtask left (it looks from an immediate, after them), no immediate pending, no foreign
 * work in progress (see resources.ts), no `advance()` running, a turn of the event loop with no
 * callback of other code, and, with a threshold, no timer scheduled, cancelled or fired on the
 * clock and no callback of other code during that many ms of real time. Idle with no
 * timer to jump to is a deadlock: `stuck` is told, and the autojump stops until started again.
 */
export class Autojump {
  // #handle is the autojump's one real immediate or timer: set exactly while it runs.
  #handle: NodeJS.Immediate | NodeJS.Timeout | undefined = undefined;
  // The clock's activity and the foreign progress when the current idle period began (with a
  // threshold only), as `activity/progress`.
  #idleSince: string | undefined = undefined;
  // The foreign progress count at the last check that found the program idle.
  #quietAt: number | undefined = undefined;
  // The foreign progress count when a deadlock was first suspected.
  #suspectedAt: number | undefined = undefined;

  constructor(
    readonly clock: VirtualClock,
    readonly thresholdMs: number,
    readonly foreign: ForeignWork,
    readonly stuck: () => void,
  ) {}

  start(): void {
    if (this.#handle === undefined) this.#soon();
  }

  /** Stops; `close` also stops watching foreign work, for good. */
  stop(close = false): void {
    clearReal(this.#handle);
    this.#handle = undefined;
    if (close) this.foreign.close();
  }

  #soon(): void {
    this.#handle = realImmediate(this.#check);
  }

  /** Looks again after `ms`, from an immediate: the autojump's own timer is never foreign work. */
  #after(ms: number): void {
    this.#handle = realTimeout(() => {
      this.#soon();
    }, ms);
  }

  readonly #check = (): void => {
    this.#handle = undefined;
    const clock = this.clock;
    const pending = this.foreign.pending();
    if (clock[ADVANCING] || pending.length > 0) {
      this.#idleSince = this.#quietAt = this.#suspectedAt = undefined;
      if (pending.length === 1 && pending[0] === 'Immediate') this.#soon();
      else if (pending.length > 0) this.#after(POLL_MS);
      else this.#soon();
      return;
    }
    // Idle twice in a row, with no callback of other code in between: the turn between the
    // two looked for I/O (a poll that does not block, an immediate being due), so data already
    // sent over a loopback socket, or a peer's FIN, has been read if it was there.
    const progress = this.foreign.progress;
    if (this.#quietAt !== progress) {
      this.#quietAt = progress;
      this.#soon();
      return;
    }
    // With a threshold: idle for that long, with no timer changed nor callback run meanwhile.
    const mark = `${String(clock[ACTIVITY])}/${String(progress)}`;
    if (this.thresholdMs > 0 && this.#idleSince !== mark) {
      this.#idleSince = mark;
      this.#quietAt = undefined;
      this.#after(this.thresholdMs);
      return;
    }
    if (clock[FIRE_NEXT]()) {
      this.#idleSince = this.#quietAt = this.#suspectedAt = undefined;
      this.#soon();
      return;
    }
    // No timer to jump to. A deadlock is for good: make sure with a turn that waits for I/O
    // (a poll that blocks for up to a millisecond), in which nothing must happen.
    if (this.#suspectedAt !== progress) {
      this.#suspectedAt = progress;
      this.#after(1);
      return;
    }
    this.#idleSince = this.#quietAt = this.#suspectedAt = undefined;
    this.stuck();
  };
}
