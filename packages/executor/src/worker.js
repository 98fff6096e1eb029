// The worker side of WorkerPoolExecutor, in plain JavaScript so it runs on Node 20 whether the
// package is used from its built files or from its TypeScript sources. Protocol: internal/protocol.ts.
/* global structuredClone, performance */
import { parentPort, workerData } from 'node:worker_threads';

const STARTED = 0;
const DONE = 1;
const CANCEL = 2;
const { state: stateBuffer, cancelSlots: CANCEL_SLOTS } = workerData;
const state = new Int32Array(stateBuffer);
const TRANSFER = Symbol.for('corio.transfer');

// Source-sent functions transformed by tsx or esbuild may call their `__name` helper, and under
// vitest their `import()` becomes `__vite_ssr_dynamic_import__()`: both get stand-ins.
const nameHelper = (target, value) =>
  Object.defineProperty(target, 'name', { value, configurable: true });
const dynamicImport = (specifier) => import(specifier);

/** fn id -> { def, fn: Promise<Function>, ready: the function once `fn` has resolved } */
const functions = new Map();
// The jobs received and not begun, flat: seq, fn id (negated for a map chunk), args, ...
let queue = [];
let head = 0;
let busy = false;

// A batch: { seq: the first job's (the others follow), defs?: [id, def, ...], jobs: [fn, args, ...] }.
parentPort.on('message', (message) => {
  const { defs, jobs } = message;
  if (defs !== undefined) {
    for (let i = 0; i < defs.length; i += 2) functions.set(defs[i], define(defs[i + 1]));
  }
  let seq = message.seq;
  for (let i = 0; i < jobs.length; i += 2) queue.push(seq++, jobs[i], jobs[i + 1]);
  if (!busy) pump();
});

function define(def) {
  let fn;
  if (def.src !== undefined) {
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
      return compiled;
    })();
  } else {
    fn = import(def.url).then((module) => {
      const exported = module[def.exp];
      if (typeof exported !== 'function') {
        throw new TypeError(
          `Cannot run '${def.exp}' of ${def.url} in a worker: the export is ${typeof exported}, not a function`,
        );
      }
      return exported;
    });
  }
  const entry = { def, fn, ready: undefined };
  fn.then(
    (f) => {
      entry.ready = f;
    },
    () => undefined,
  );
  return entry;
}

/**
 * Runs the received jobs one after another. A synchronous job runs and answers without a detour
 * through the microtask queue; an async one (or one whose function is still being compiled or
 * imported) suspends the loop until it settles.
 */
function pump() {
  busy = true;
  while (head < queue.length) {
    const seq = queue[head];
    const id = queue[head + 1];
    const args = queue[head + 2];
    queue[head + 2] = undefined;
    head += 3;
    // Claim the job, unless the pool took it back first (see protocol.ts).
    const claimed = claim(seq);
    Atomics.store(state, STARTED, seq);
    if (!claimed) {
      Atomics.store(state, DONE, seq);
      continue;
    }
    const entry = functions.get(id < 0 ? -id : id);
    if (entry.ready !== undefined) {
      if (run(seq, id, entry, args)) return;
      continue;
    }
    entry.fn.then(
      () => {
        if (!run(seq, id, entry, args)) pump();
      },
      (error) => {
        finish(seq, entry, false, error);
        pump();
      },
    );
    return;
  }
  queue = [];
  head = 0;
  busy = false;
}

/** Writes +seq in the job's slot unless the pool wrote -seq first: one of the two wins. */
function claim(seq) {
  const slot = CANCEL + (seq % CANCEL_SLOTS);
  for (;;) {
    const current = Atomics.load(state, slot);
    if (current === -seq) return false;
    if (Atomics.compareExchange(state, slot, current, seq) === current) return true;
  }
}

const isThenable = (value) =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof value.then === 'function';

/** Runs one job; true if it went async (the loop resumes once it settles). */
function run(seq, id, entry, args) {
  if (id < 0) return runChunk({ seq, entry, items: args, values: [], start: performance.now() }, 0);
  let value;
  try {
    value = entry.ready(...args);
  } catch (error) {
    finish(seq, entry, false, error);
    return false;
  }
  if (!isThenable(value)) {
    finish(seq, entry, true, value);
    return false;
  }
  Promise.resolve(value).then(
    (v) => {
      finish(seq, entry, true, v);
      pump();
    },
    (error) => {
      finish(seq, entry, false, error);
      pump();
    },
  );
  return true;
}

/**
 * A map() chunk: fn(item) for each item in turn. It answers [values, ms] or, if an item fails,
 * [the values before it, ms, its serialized error]: the items after it are not run. `ms` is the
 * time from the chunk's first item to its last, by which map() sizes its next chunks.
 */
function runChunk(chunk, from) {
  const { seq, entry, items, values, start } = chunk;
  for (let i = from; i < items.length; i++) {
    let value;
    try {
      value = entry.ready(items[i]);
    } catch (error) {
      const ms = performance.now() - start;
      finish(seq, entry, true, [values, ms, serialize(explain(error, entry.def))]);
      return false;
    }
    if (isThenable(value)) {
      Promise.resolve(value).then(
        (v) => {
          values.push(v);
          if (!runChunk(chunk, i + 1)) pump();
        },
        (error) => {
          const ms = performance.now() - start;
          finish(seq, entry, true, [values, ms, serialize(explain(error, entry.def))]);
          pump();
        },
      );
      return true;
    }
    values.push(value);
  }
  finish(seq, entry, true, [values, performance.now() - start]);
  return false;
}

function finish(seq, entry, ok, value) {
  Atomics.store(state, DONE, seq);
  if (ok) send({ seq, ok, value }, entry.def);
  else send({ seq, ok, error: serialize(explain(value, entry.def)) }, entry.def);
}

function send(reply, def) {
  let transferList;
  if (
    reply.ok &&
    typeof reply.value === 'object' &&
    reply.value !== null &&
    TRANSFER in reply.value
  ) {
    transferList = reply.value.transferList;
    reply.value = reply.value.value;
  }
  try {
    parentPort.postMessage(reply, transferList);
  } catch (error) {
    const name = def.src !== undefined ? def.name : def.exp;
    const wrapped = new Error(
      `Cannot send the ${reply.ok ? 'result' : 'error'} of '${name}' back from the worker: ${error.message}`,
      { cause: error },
    );
    wrapped.name = 'DataCloneError';
    parentPort.postMessage({ seq: reply.seq, ok: false, error: serialize(wrapped) });
  }
}

/** A ReferenceError from a source-sent function is almost always a captured variable. */
function explain(error, def) {
  if (
    def.src !== undefined &&
    error instanceof ReferenceError &&
    / is not defined$/.test(error.message)
  ) {
    const variable = error.message.replace(/ is not defined$/, '');
    return new ReferenceError(
      `Function '${def.name}' ran in a worker, where '${variable}' is not defined: closures are not allowed in a function sent to a worker; pass the value as an argument, import it inside the function, or use workerFunction()`,
      { cause: error },
    );
  }
  return error;
}

function serialize(error, depth = 0) {
  if (error instanceof Error && depth < 16) {
    const out = {
      $error: true,
      name: String(error.name),
      message: String(error.message),
      stack: typeof error.stack === 'string' ? error.stack : undefined,
      hasCause: 'cause' in error,
      props: {},
    };
    if (out.hasCause) out.cause = serialize(error.cause, depth + 1);
    if (error instanceof AggregateError)
      out.errors = error.errors.map((e) => serialize(e, depth + 1));
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
        out.props[key] = structuredClone(error[key]);
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
