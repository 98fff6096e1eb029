// Who owns a wait: the task's own code, or a callback the task set up?
//
// AsyncLocalStorage hands a task's context (and a scope's) to everything started from it: the
// task's own await chain, but also every timer, listener and server handler it set up. A
// cancellation must reach those callbacks' waits (they run inside the task or scope) but must
// be *consumed* only by the code it was meant for: the task's own code, or the scope's body.
// Otherwise a callback that happens to be waiting swallows the task's cancellation.
//
// V8 tells them apart for us. Its async stack trace follows the chain of promises from the
// point where it is captured, through each `await` (and Promise.all/race branches, and plain
// `.then` chains), to the outermost async function awaiting it. Captured in a reaction that
// settles a wait's promise, it lists the async functions that will see the outcome. So:
// - a wait begun in a scope's body has the frame of that scope's runner (an async function that
//   awaits the body, named `corio$scope`) in its trace; a callback set up in the body has not;
// - a wait begun in a task's own code reaches the task's body promise. The task follows that
//   promise with one `.then`, whose promise nobody awaits, so the trace stops there; when the
//   task's cancellation needs an answer, an async function named `corio$task` starts awaiting
//   that promise (attachTaskMarker), and from then on the task's own waits show its frame.
//
// This costs a few microseconds (a stack capture without formatting), so it runs only when a
// cancellation is being delivered or is pending; the normal path never pays for it. A chain
// that V8 cannot follow (a promise awaited twice, a foreign thenable) reads as a callback's: the
// cancellation then stays pending and the task's next corio await raises it, or the task ends
// cancelled when it returns. Never lost, at worst late.

/** The frame name of the async function that runs a scope's body. */
export const SCOPE_FRAME = 'corio$scope';
/** The frame name of the async function that follows a task's body, once attached. */
export const TASK_FRAME = 'corio$task';

/** What a wait's trace says about the code awaiting it. */
export interface Ownership {
  /** How many scope runners the outcome passes through, innermost first. */
  readonly scopes: number;
  /** Whether the outcome reaches the task's own code. */
  readonly task: boolean;
}

const NOT_OWNED: Ownership = { scopes: 0, task: false };
// Deep enough for any sane await chain; the capture costs in proportion to the depth.
const STACK_LIMIT = 512;

function readFrames(_error: unknown, sites: readonly NodeJS.CallSite[]): Ownership {
  let scopes = 0;
  for (const site of sites) {
    const name = site.getFunctionName();
    if (name === SCOPE_FRAME) scopes++;
    else if (name === TASK_FRAME) return { scopes, task: true };
  }
  return scopes === 0 ? NOT_OWNED : { scopes, task: false };
}

/** Reads the current async stack trace: which runners the code awaiting this point passes. */
export function ownership(): Ownership {
  const limit = Error.stackTraceLimit;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored as it was
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = STACK_LIMIT;
  Error.prepareStackTrace = readFrames;
  // A new holder each time: V8 keeps the captured frames on it, and through their receivers
  // the locals of every async function awaiting here (a whole batch of cancelled tasks).
  const holder: { stack?: unknown } = {};
  try {
    Error.captureStackTrace(holder, ownership);
    return holder.stack as Ownership;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/**
 * Captures `error`'s stack as `Error.captureStackTrace(error, below)` would, and reads from the
 * same capture whose code awaits this point: one stack walk for both (each walk costs about as
 * much as the rest of a cancellation). The frames of corio's own runners are left out of the
 * text, which is formatted when first read, as V8 formats it.
 */
export function captureWithOwnership(error: Error, below: CallableFunction): Ownership {
  const limit = Error.stackTraceLimit;
  const shown = typeof limit === 'number' ? limit : 0;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored as it was
  const prepare = Error.prepareStackTrace;
  let owner = NOT_OWNED;
  let sites: NodeJS.CallSite[] = [];
  Error.stackTraceLimit = Math.max(shown, STACK_LIMIT);
  Error.prepareStackTrace = (_error, captured): undefined => {
    owner = readFrames(_error, captured);
    sites = captured.filter((site) => !isRunnerFrame(site)).slice(0, shown);
  };
  try {
    Error.captureStackTrace(error, below);
    // Reading it runs the hook above, now; the text is made later, if anyone asks.
    Reflect.get(error, 'stack');
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  let text: string | undefined;
  Object.defineProperty(error, 'stack', {
    configurable: true,
    enumerable: false,
    get: () => (text ??= formatStack(error, sites)),
    set: (value: string) => {
      text = value;
    },
  });
  return owner;
}

function isRunnerFrame(site: NodeJS.CallSite): boolean {
  const name = site.getFunctionName();
  return name === TASK_FRAME || name === SCOPE_FRAME;
}

// As V8 does, with the Error.prepareStackTrace in force when the stack is first read.
function formatStack(error: Error, sites: NodeJS.CallSite[]): string {
  // Typed as always set; a program may set it to undefined.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called as V8 would
  const prepare = Error.prepareStackTrace as typeof Error.prepareStackTrace | undefined;
  if (prepare !== undefined) return String(prepare(error, sites));
  const frames = sites.map((site) => `\n    at ${(site as { toString(): string }).toString()}`);
  return `${String(error)}${frames.join('')}`;
}

/** Names `fn` so that its frames mark what runs inside it (survives minifiers). */
export function markFrames<F extends (...args: never[]) => unknown>(fn: F, name: string): F {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

const followTask = markFrames(async (body: Promise<unknown>): Promise<void> => {
  await body;
}, TASK_FRAME);

/**
 * Makes a task's own await chain recognisable from now on: `root` is the promise that follows
 * the task's body (it never rejects).
 */
export function attachTaskMarker(root: Promise<unknown>): void {
  void followTask(root);
}
