// @corio/core/testing: what tests need and programs do not. Every public name, listed.
export { DeadlockError } from './errors.js';
export { VirtualClock } from './virtual-clock.js';
export { withVirtualClock } from './with-virtual-clock.js';
export type { VirtualClockOptions } from './with-virtual-clock.js';
