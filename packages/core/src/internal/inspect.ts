/** Node's hook for `util.inspect` and `console.log`: corio objects render their state with it. */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;
