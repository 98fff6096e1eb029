// @corio/core/testing: what tests need and programs do not. Every public name, listed.
export { DeadlockError } from './errors.js';
export { VirtualClock } from './virtual-clock.js';
export { withVirtualClock } from './with-virtual-clock.js';
/**
 * The options of {@link withVirtualClock}: where the virtual time starts, and whether it moves by
 * itself (autojump) once the program is idle.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { now, sleep } from '@corio/core';
 * import { withVirtualClock } from '@corio/core/testing';
 * import type { VirtualClockOptions } from '@corio/core/testing';
 *
 * const options: VirtualClockOptions = { start: 500, autojump: true };
 * const woke = await withVirtualClock(
 *   () => sleep(1_500).then(now),
 *   options,
 * );
 * assert.equal(woke, 2_000);
 * ```
 */
export type { VirtualClockOptions } from './with-virtual-clock.js';
