// Symbol-keyed members let corio's modules reach each other's internals without exposing them:
// they are marked @internal and stripped from the published declarations. These stay within one
// copy of corio (a Future from another copy is treated as a foreign thenable); what must work
// across copies is in protocol.ts.

/** Registers a synchronous listener called once when a future settles. */
export const LISTEN = Symbol('corio.listen');
/** Removes a listener registered with LISTEN. */
export const UNLISTEN = Symbol('corio.unlisten');
/** Settles a future as cancelled, bypassing Task's request semantics. */
export const CANCEL_NOW = Symbol('corio.cancelNow');
/** Marks a future's error as retrieved, so it is not reported. */
export const RETRIEVE = Symbol('corio.retrieve');
/** Runs a task's first step; called by the start queue. */
export const START = Symbol('corio.start');
/** Whether a future failed with an error (not cancelled, not pending). */
export const FAILED = Symbol('corio.failed');
/** Whether a task's start waits for LAUNCH (a limiter's queued call). */
export const DEFERRED = Symbol('corio.deferred');
/** Schedules the start of a deferred task. */
export const LAUNCH = Symbol('corio.launch');
/** For taskTree(): what a task not started yet waits for (a limiter). */
export const START_OWNER = Symbol('corio.startOwner');
