// Symbol-keyed members let the package's modules reach each other's internals without exposing
// them: they are marked @internal and stripped from the published declarations.

/** Attaches the transport a reader pauses and resumes for flow control. */
export const SET_TRANSPORT = Symbol('corio.streams.setTransport');

/**
 * Feeds a reader a chunk it may keep without a copy: one a socket emitted (Node allocates a new
 * Buffer for each read and never writes into it again), unlike the caller's buffer `feedData`
 * is given.
 */
export const FEED_CHUNK = Symbol('corio.streams.feedChunk');

/**
 * Calls back once a writer's connection is closed. For the package's own bookkeeping: a wait
 * would belong to whichever task's async context the caller runs in (a socket callback runs in
 * the context of the task that started the server), and that task's cancellation would end it.
 */
export const ON_CLOSED = Symbol('corio.streams.onClosed');
