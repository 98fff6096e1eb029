// A promise and its resolvers without a closure per promise: the shared executor hands the
// resolvers over through these two live bindings, which the caller reads right after
// `newPromise()` returns, and then forgets (forgetResolvers): a resolver left in a binding keeps
// its promise alive, and what the promise settled with (a gather() of 100k cancelled tasks kept
// their errors and every frame of their stacks until the next promise was made).

const noop = (): undefined => undefined;

/** The resolve function of the promise most recently made by `newPromise()`. */
export let lastResolve: (value: unknown) => void = noop;
/** The reject function of the promise most recently made by `newPromise()`. */
export let lastReject: (reason: unknown) => void = noop;

/** Drops the resolvers `newPromise()` handed over, once its caller has read them. */
export function forgetResolvers(): void {
  lastResolve = noop;
  lastReject = noop;
}

function capture(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  lastResolve = resolve;
  lastReject = reject;
}

/** A new pending promise; its resolvers are in `lastResolve`/`lastReject` until the next call. */
export function newPromise<T>(): Promise<T> {
  return new Promise(capture) as Promise<T>;
}
