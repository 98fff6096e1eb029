// @ts-check
// The worker side of WorkerPoolExecutor, in plain JavaScript so it runs as it is whether the
// package is used from its built files or from its TypeScript sources; type-checked against the
// protocol it shares with the pool (internal/protocol.ts), whose constants arrive in workerData.
/* global structuredClone, performance, AbortController */
import { getHeapStatistics } from 'node:v8';
import { parentPort as port, workerData } from 'node:worker_threads';

/** @typedef {import('./internal/protocol.js').WorkerSetup} WorkerSetup */
/** @typedef {import('./internal/protocol.js').PoolMessage} PoolMessage */
/** @typedef {import('./internal/protocol.js').BatchMessage} BatchMessage */
/** @typedef {import('./internal/protocol.js').FunctionDef} FunctionDef */
/** @typedef {import('./internal/protocol.js').ResultMessage} ResultMessage */
/** @typedef {import('./internal/protocol.js').RetireMessage} RetireMessage */
/** @typedef {import('./internal/protocol.js').SerializedError} SerializedError */
/** @typedef {(...args: unknown[]) => unknown} AnyFunction */
/** @typedef {import('node:worker_threads').Transferable} Transferable */
/** @typedef {{ value: unknown, transferList: Transferable[] }} Marked A transfer() wrapper. */
/**
 * A function as this worker knows it: how to find it, the promise of it, and the function
 * itself once that promise has resolved.
 * @typedef {{ def: FunctionDef, fn: Promise<AnyFunction>, ready: AnyFunction | undefined }} Entry
 */
/**
 * A map() chunk being run: fn(item) for each item, and the values so far.
 * @typedef {{ items: unknown[], values: unknown[] }} Chunk
 */

if (port === null) throw new Error('corio: worker.js runs only as a worker thread');
const parentPort = port;
const setup = /** @type {WorkerSetup} */ (workerData);
const { started: STARTED, done: DONE, ready: READY, stop: STOP, cancel: CANCEL } = setup.layout;
const CANCEL_SLOTS = setup.cancelSlots;
const state = new Int32Array(setup.state);
const TRANSFER = Symbol.for(setup.transferKey);
const CANCELLED_BRAND = Symbol.for('corio.CancelledError');

// Source-sent functions transformed by tsx or esbuild may call their `__name` helper, and under
// vitest their `import()` becomes `__vite_ssr_dynamic_import__()`: both get stand-ins.
/** @type {(target: object, value: string) => object} */
const nameHelper = (target, value) =>
  Object.defineProperty(target, 'name', { value, configurable: true });
/** @type {(specifier: string) => Promise<unknown>} */
const dynamicImport = (specifier) => import(specifier);

/** @type {Map<number, Entry>} fn id -> entry */
const functions = new Map();
/** @type {unknown[]} The jobs received and not begun, flat: seq, fn id (negated for a map chunk), args, ... */
let queue = [];
let head = 0;
let busy = false;
/** Jobs finished, for maxJobs. */
let finished = 0;
/** @type {RetireMessage['retire'] | undefined} Set once this worker takes no more jobs. */
let retiring;
/** @type {Set<number>} The seqs of received jobs that moved buffers here (see BatchMessage). */
const moved = new Set();

// ---- The running job, as currentJob() sees it ------------------------------------------------

/** The seq of the job running now; 0 between jobs. */
let running = 0;
/** @type {FunctionDef} How the running job's function was found, for its errors. */
let runningDef = { src: '', name: '' };
/** When the running job began (performance.now()). */
let runningStart = 0;
/** @type {JobContext | undefined} The running job's context, made on the first currentJob(). */
let context;

/** The reason a stopped job's signal is aborted with: a corio CancelledError, by its brand. */
class JobCancelledError extends Error {
  static {
    Object.defineProperty(this.prototype, CANCELLED_BRAND, { value: true });
    this.prototype.name = 'CancelledError';
  }
}

/** What `currentJob()` returns in a job: see current-job.ts for the documented interface. */
class JobContext {
  /** @type {number} */
  #seq;
  /** @type {AbortController | undefined} */
  #controller;

  /** @param {number} seq */
  constructor(seq) {
    this.#seq = seq;
  }

  /** Aborted when the job is cancelled (once this worker's event loop gets the message). */
  get signal() {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.cancelled) this.#controller.abort(new JobCancelledError('The job was cancelled'));
    }
    return this.#controller.signal;
  }

  /** Whether the job was cancelled: read from shared memory, so true even before the message. */
  get cancelled() {
    return Atomics.load(state, STOP) === this.#seq;
  }

  throwIfCancelled() {
    if (!this.cancelled) return;
    const { signal } = this;
    throw signal.aborted ? signal.reason : new JobCancelledError('The job was cancelled');
  }

  /** The pool asked to stop this job. */
  stop() {
    this.#controller?.abort(new JobCancelledError('The job was cancelled'));
  }

  toString() {
    return `<JobContext seq=${String(this.#seq)}${this.cancelled ? ' cancelled' : ''}>`;
  }
}

Object.defineProperty(globalThis, Symbol.for('corio.executor.currentJob'), {
  value: () => (running === 0 ? undefined : (context ??= new JobContext(running))),
});

// ---- Messages from the pool ----------------------------------------------------------------

parentPort.on('message', (/** @type {PoolMessage} */ message) => {
  if ('stop' in message) {
    if (message.stop === running) context?.stop();
    return;
  }
  const { defs, jobs } = message;
  if (defs !== undefined) {
    for (let i = 0; i < defs.length; i += 2) {
      functions.set(
        /** @type {number} */ (defs[i]),
        define(/** @type {FunctionDef} */ (defs[i + 1])),
      );
    }
  }
  if (message.moved !== undefined) for (const s of message.moved) moved.add(s);
  let seq = message.seq;
  for (let i = 0; i < jobs.length; i += 2) queue.push(seq++, jobs[i], jobs[i + 1]);
  if (!busy) pump();
});

/**
 * @param {FunctionDef} def
 * @returns {Entry}
 */
function define(def) {
  /** @type {Promise<AnyFunction>} */
  let fn;
  if ('src' in def) {
    fn = (async () => {
      let compiled;
      try {
        compiled = new Function(
          '__name',
          '__vite_ssr_dynamic_import__',
          `'use strict'; return (${def.src}\n);`,
        )(nameHelper, dynamicImport);
      } catch (error) {
        throw new TypeError(
          `Cannot run function '${def.name}' in a worker: its source does not compile as a function expression (methods and bound or native functions cannot be sent; use workerFunction())`,
          { cause: error },
        );
      }
      if (typeof compiled !== 'function') {
        throw new TypeError(
          `Cannot run function '${def.name}' in a worker: its source is not a function`,
        );
      }
      return /** @type {AnyFunction} */ (compiled);
    })();
  } else {
    fn = import(def.url).then((/** @type {Record<string, unknown>} */ module) => {
      const exported = module[def.exp];
      if (typeof exported !== 'function') {
        throw new TypeError(
          `Cannot run '${def.exp}' of ${def.url} in a worker: the export is ${typeof exported}, not a function`,
        );
      }
      return /** @type {AnyFunction} */ (exported);
    });
  }
  /** @type {Entry} */
  const entry = { def, fn, ready: undefined };
  fn.then(
    (f) => {
      entry.ready = f;
    },
    () => undefined,
  );
  return entry;
}

// ---- Running jobs ----------------------------------------------------------------------------

/**
 * Runs the received jobs one after another. A synchronous job runs and answers without a detour
 * through the microtask queue; an async one (or one whose function is still being compiled or
 * imported) suspends the loop until it settles. A retiring worker begins only the jobs whose
 * buffers moved here; the pool takes the others back.
 */
function pump() {
  busy = true;
  while (head < queue.length) {
    const seq = /** @type {number} */ (queue[head]);
    const id = /** @type {number} */ (queue[head + 1]);
    const args = /** @type {unknown[]} */ (queue[head + 2]);
    queue[head + 2] = undefined;
    head += 3;
    // Retiring: the pool takes back every job but those whose buffers moved here.
    if (retiring !== undefined && !moved.has(seq)) continue;
    moved.delete(seq);
    // Claim the job, unless the pool took it back first (see protocol.ts).
    const claimed = claim(seq);
    Atomics.store(state, STARTED, seq);
    if (!claimed) {
      Atomics.store(state, DONE, seq);
      continue;
    }
    const entry = /** @type {Entry} */ (functions.get(id < 0 ? -id : id));
    running = seq;
    runningDef = entry.def;
    runningStart = performance.now();
    context = undefined;
    const ready = entry.ready;
    if (ready !== undefined) {
      if (run(id < 0, ready, args)) return;
      continue;
    }
    entry.fn.then(
      (f) => {
        if (!run(id < 0, f, args)) pump();
      },
      (/** @type {unknown} */ error) => {
        finish(false, error);
        pump();
      },
    );
    return;
  }
  queue = [];
  head = 0;
  busy = false;
}

/**
 * Writes +seq in the job's slot unless the pool wrote -seq first: one of the two wins.
 * @param {number} seq
 */
function claim(seq) {
  const slot = CANCEL + (seq % CANCEL_SLOTS);
  for (;;) {
    const current = Atomics.load(state, slot);
    if (current === -seq) return false;
    if (Atomics.compareExchange(state, slot, current, seq) === current) return true;
  }
}

/** @param {unknown} value */
const isThenable = (value) =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (/** @type {{ then?: unknown }} */ (value).then) === 'function';

/**
 * Runs the job `running`; true if it went async (the loop resumes once it settles).
 * @param {boolean} chunk - a map() chunk: `args` are its items.
 * @param {AnyFunction} fn
 * @param {unknown[]} args
 */
function run(chunk, fn, args) {
  if (chunk) return runChunk({ items: args, values: [] }, fn, 0);
  let value;
  try {
    value = fn(...args);
  } catch (error) {
    finish(false, error);
    return false;
  }
  if (!isThenable(value)) {
    finish(true, value);
    return false;
  }
  Promise.resolve(value).then(
    (v) => {
      finish(true, v);
      pump();
    },
    (/** @type {unknown} */ error) => {
      finish(false, error);
      pump();
    },
  );
  return true;
}

/**
 * A map() chunk: fn(item) for each item in turn. It answers [values, ms] or, if an item fails,
 * [the values before it, ms, its serialized error]: the items after it are not run. `ms` is the
 * time from the chunk's first item to its last, by which map() sizes its next chunks.
 * @param {Chunk} chunk
 * @param {AnyFunction} fn
 * @param {number} from
 */
function runChunk(chunk, fn, from) {
  const { items, values } = chunk;
  for (let i = from; i < items.length; i++) {
    // A cancelled chunk stops between items: its answer is dropped, its worker kept.
    if (Atomics.load(state, STOP) === running) {
      finishChunk(values, [new JobCancelledError('The job was cancelled')]);
      return false;
    }
    let value;
    try {
      value = fn(items[i]);
    } catch (error) {
      finishChunk(values, [error]);
      return false;
    }
    if (isThenable(value)) {
      Promise.resolve(value).then(
        (v) => {
          values.push(v);
          if (!runChunk(chunk, fn, i + 1)) pump();
        },
        (/** @type {unknown} */ error) => {
          finishChunk(values, [error]);
          pump();
        },
      );
      return true;
    }
    values.push(value);
  }
  finishChunk(values, undefined);
  return false;
}

/**
 * Answers a map() chunk: its values, and the error of the item that failed, if one did.
 * @param {unknown[]} values
 * @param {[unknown] | undefined} failed - the error, boxed (an item may throw undefined).
 */
function finishChunk(values, failed) {
  const ms = performance.now() - runningStart;
  if (failed === undefined) finish(true, [values, ms]);
  else finish(true, [values, ms, serialize(explain(failed[0], runningDef))]);
}

/**
 * Answers the running job, then retires the worker if it is past a limit.
 * @param {boolean} ok
 * @param {unknown} value
 */
function finish(ok, value) {
  const seq = running;
  const def = runningDef;
  running = 0;
  context = undefined;
  Atomics.store(state, DONE, seq);
  const ms = performance.now() - runningStart;
  if (ok) send({ seq, ok, value, ms }, def);
  else send({ seq, ok, error: serialize(explain(value, def)), ms }, def);
  finished++;
  if (setup.maxJobs > 0 && finished >= setup.maxJobs) retire('jobs', 0);
  else if (setup.maxHeapBytes > 0) {
    const heapUsed = getHeapStatistics().used_heap_size;
    if (heapUsed > setup.maxHeapBytes) retire('heap', heapUsed);
  }
}

/**
 * Takes no more jobs and tells the pool, which takes back those not begun and replaces this
 * worker.
 * @param {RetireMessage['retire']} reason
 * @param {number} heapUsed
 */
function retire(reason, heapUsed) {
  retiring = reason;
  /** @type {RetireMessage} */
  const message = { retire: reason, heapUsed };
  parentPort.postMessage(message);
}

/**
 * @param {ResultMessage} reply
 * @param {FunctionDef} def
 */
function send(reply, def) {
  /** @type {readonly Transferable[] | undefined} */
  let transferList;
  if (
    reply.ok &&
    typeof reply.value === 'object' &&
    reply.value !== null &&
    TRANSFER in reply.value
  ) {
    const marked = /** @type {Marked} */ (/** @type {unknown} */ (reply.value));
    transferList = marked.transferList;
    reply.value = marked.value;
  }
  try {
    parentPort.postMessage(reply, transferList);
  } catch (error) {
    const name = 'src' in def ? def.name : def.exp;
    const wrapped = new Error(
      `Cannot send the ${reply.ok ? 'result' : 'error'} of '${name}' back from the worker: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
    wrapped.name = 'DataCloneError';
    /** @type {ResultMessage} */
    const failed = { seq: reply.seq, ok: false, error: serialize(wrapped), ms: reply.ms };
    parentPort.postMessage(failed);
  }
}

/**
 * A ReferenceError from a source-sent function is almost always a captured variable.
 * @param {unknown} error
 * @param {FunctionDef} def
 * @returns {unknown}
 */
function explain(error, def) {
  if ('src' in def && error instanceof ReferenceError && / is not defined$/.test(error.message)) {
    const variable = error.message.replace(/ is not defined$/, '');
    return new ReferenceError(
      `Function '${def.name}' ran in a worker, where '${variable}' is not defined: closures are not allowed in a function sent to a worker; pass the value as an argument, import it inside the function, or use workerFunction()`,
      { cause: error },
    );
  }
  return error;
}

/**
 * The keys of the `corio.` registry symbols an error carries as true, own or inherited.
 * @param {Error} error
 * @returns {string[] | undefined}
 */
function brandsOf(error) {
  /** @type {string[] | undefined} */
  let brands;
  for (let o = /** @type {object | null} */ (error); o !== null; o = Object.getPrototypeOf(o)) {
    for (const symbol of Object.getOwnPropertySymbols(o)) {
      const key = Symbol.keyFor(symbol);
      if (
        key?.startsWith('corio.') &&
        /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (error))[symbol] === true
      ) {
        (brands ??= []).push(key);
      }
    }
  }
  return brands;
}

/**
 * @param {unknown} error
 * @param {number} [depth]
 * @returns {SerializedError | { $value: unknown }}
 */
function serialize(error, depth = 0) {
  if (error instanceof Error && depth < 16) {
    /** @type {SerializedError} */
    const out = {
      $error: true,
      name: String(error.name),
      message: String(error.message),
      stack: typeof error.stack === 'string' ? error.stack : undefined,
      hasCause: 'cause' in error,
      props: {},
    };
    if (out.hasCause) out.cause = serialize(error.cause, depth + 1);
    if (error instanceof AggregateError) {
      out.errors = error.errors.map((/** @type {unknown} */ e) => serialize(e, depth + 1));
    }
    const brands = brandsOf(error);
    if (brands !== undefined) out.brands = brands;
    for (const key of Object.keys(error)) {
      if (
        key === 'cause' ||
        key === 'errors' ||
        key === 'name' ||
        key === 'message' ||
        key === 'stack'
      )
        continue;
      try {
        out.props[key] = structuredClone(
          /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (error))[key],
        );
      } catch {
        // Not cloneable: dropped.
      }
    }
    return out;
  }
  try {
    return { $value: structuredClone(error) };
  } catch {
    return { $value: String(error) };
  }
}

// Loaded: a worker that exits before this could not start (see protocol.ts).
Atomics.store(state, READY, 1);
