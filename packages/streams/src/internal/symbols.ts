// Symbol-keyed members let the package's modules reach each other's internals without exposing
// them: they are marked @internal and stripped from the published declarations.

/** Attaches the transport a reader pauses and resumes for flow control. */
export const SET_TRANSPORT = Symbol('corio.streams.setTransport');
