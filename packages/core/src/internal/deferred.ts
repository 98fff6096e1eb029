// A promise and its resolvers without a closure per promise: the shared executor hands the
// resolvers over through these two live bindings, which the caller reads right after
// `newPromise()` returns.

/** The resolve function of the promise most recently made by `newPromise()`. */
export let lastResolve: (value: unknown) => void = () => undefined;
/** The reject function of the promise most recently made by `newPromise()`. */
export let lastReject: (reason: unknown) => void = () => undefined;

function capture(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  lastResolve = resolve;
  lastReject = reject;
}

/** A new pending promise; its resolvers are in `lastResolve`/`lastReject` until the next call. */
export function newPromise<T>(): Promise<T> {
  return new Promise(capture) as Promise<T>;
}
