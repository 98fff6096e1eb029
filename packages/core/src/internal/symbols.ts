// Symbol-keyed members let corio's modules reach each other's internals without exposing them:
// they are marked @internal and stripped from the published declarations.

/** Registers a synchronous listener called once when a future settles. */
export const LISTEN = Symbol('corio.listen');
/** Removes a listener registered with LISTEN. */
export const UNLISTEN = Symbol('corio.unlisten');
/** Settles a future as cancelled, bypassing Task's request semantics. */
export const CANCEL_NOW = Symbol('corio.cancelNow');
/** Marks a future's error as retrieved, so it is not reported. */
export const RETRIEVE = Symbol('corio.retrieve');
/** Consumes a task's pending cancellation request; returns NO_CANCEL if there is none. */
export const TAKE_CANCEL = Symbol('corio.takeCancel');
/** Registers a wait the task is suspended in, to be interrupted by `cancel()`. */
export const ADD_WAITER = Symbol('corio.addWaiter');
/** Unregisters a wait. */
export const REMOVE_WAITER = Symbol('corio.removeWaiter');
/** Sentinel returned by TAKE_CANCEL when no cancellation is pending. */
export const NO_CANCEL = Symbol('corio.noCancel');
/** Runs a task's first step; called by the start queue. */
export const START = Symbol('corio.start');
/** Whether a future failed with an error (not cancelled, not pending). */
export const FAILED = Symbol('corio.failed');
/** Tells a task that a delivered cancellation has reached its code. */
export const CANCEL_ARRIVED = Symbol('corio.cancelArrived');
/** Asks a task whether an error is its own cancellation (CancelledError or its signal's abort). */
export const IS_CANCELLATION = Symbol('corio.isCancellation');
