// The worker side of WorkerPoolExecutor, in plain JavaScript so it runs on Node 20 whether the
// package is used from its built files or from its TypeScript sources. Protocol: internal/protocol.ts.
/* global structuredClone */
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

/** fn id -> { def, fn: Promise<Function> } */
const functions = new Map();
const queue = [];
let busy = false;

parentPort.on('message', (message) => {
  if (message.def !== undefined) functions.set(message.fn, define(message.def));
  queue.push(message);
  if (!busy) void pump();
});

function define(def) {
  if (def.src !== undefined) {
    const fn = (async () => {
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
    fn.catch(() => undefined);
    return { def, fn };
  }
  const fn = import(def.url).then((module) => {
    const exported = module[def.exp];
    if (typeof exported !== 'function') {
      throw new TypeError(
        `Cannot run '${def.exp}' of ${def.url} in a worker: the export is ${typeof exported}, not a function`,
      );
    }
    return exported;
  });
  fn.catch(() => undefined);
  return { def, fn };
}

async function pump() {
  busy = true;
  while (queue.length > 0) {
    const job = queue.shift();
    // Claim the job, then check whether the pool took it back (see protocol.ts).
    Atomics.store(state, STARTED, job.seq);
    if (Atomics.load(state, CANCEL + (job.seq % CANCEL_SLOTS)) === job.seq) {
      Atomics.store(state, DONE, job.seq);
      continue;
    }
    const entry = functions.get(job.fn);
    let reply;
    try {
      const fn = await entry.fn;
      const value = await fn(...job.args);
      reply = { seq: job.seq, ok: true, value };
    } catch (error) {
      reply = { seq: job.seq, ok: false, error: serialize(explain(error, entry.def)) };
    }
    Atomics.store(state, DONE, job.seq);
    send(reply, entry.def);
  }
  busy = false;
}

function send(reply, def) {
  const transferList = [];
  if (
    reply.ok &&
    typeof reply.value === 'object' &&
    reply.value !== null &&
    TRANSFER in reply.value
  ) {
    transferList.push(...reply.value.transferList);
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
