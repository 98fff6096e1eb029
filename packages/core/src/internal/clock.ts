// The clock that corio's timers follow. By default none is installed and every timer is a Node
// timer on performance.now(); `@corio/core/testing` installs a virtual one for the duration of a
// test. It is kept in the runtime that every copy of @corio/core in the process shares (see
// current.ts), so that the timers of a nested copy follow the installed clock too: these two
// interfaces are part of the protocol between copies (protocol.ts), and change only with it.

/** A callback scheduled on an installed clock. */
export interface ClockEntry {
  /** Drops the callback if it has not run yet (no-op otherwise). */
  cancel(): void;
}

/** What an installed clock offers the timers of every copy of corio. */
export interface InstalledClock {
  /** The time on the clock, in ms, in place of performance.now(). */
  now(): number;
  /**
   * Calls `fire` once the clock reaches `when`: on a later turn of the event loop, never inside
   * `at()`; callbacks due at the same time run in the order they were scheduled.
   */
  at(when: number, fire: () => void): ClockEntry;
}
