// The messages between the pool (main thread) and its workers; src/worker.js is the other side.
import { CancelledError, TimeoutError } from '@corio/core';
import { BrokenWorkerError } from '../errors.js';

const TRANSFER_KEY = 'corio.transfer';
/**
 * Marks a `transfer()` wrapper: a registry symbol, so that the plain-JS worker, given its key in
 * workerData (WorkerSetup.transferKey), recognises the same symbol in a job's result.
 */
export const TRANSFER = Symbol.for(TRANSFER_KEY);

/**
 * Per-worker shared Int32Array: [STARTED] is the seq of the last job the worker reached (began or
 * skipped), [DONE] the seq of the last it finished, [READY] 1 once the worker's own code has
 * loaded, [STOP] the seq of the running job the pool asked to stop, then CANCEL_SLOTS slots that
 * decide, for each job, who had it first: the worker claims job `seq` by writing +seq in slot
 * seq % CANCEL_SLOTS, the pool takes it back by writing -seq, each with a compare-and-exchange
 * from the value it read. Exactly one of the two writes lands, so a job is either taken back and
 * skipped, or run where it was sent; never both (run twice) or neither (lost). (Plain stores and
 * loads on both sides allowed both to see the other: the worker skipped a job the pool believed
 * it was running.)
 *
 * A worker's queue also holds the jobs taken back from it, until it reaches and skips them, so
 * the pool never hands a worker seq s unless s - STARTED < CANCEL_SLOTS: a slot is only ever
 * contested for one undecided job at a time.
 *
 * The worker learns these indices from its workerData (see WorkerSetup), so they are defined
 * here only.
 */
export const STARTED = 0;
/** Slot of the last job the worker finished. */
export const DONE = 1;
/** 1 once the worker's code has loaded: a worker that exits before that could not start. */
export const READY = 2;
/**
 * The seq of the running job the pool asked to stop: what `currentJob().cancelled` reads, so a
 * job that never yields to its event loop (and so never sees the abort message) can still check.
 */
export const STOP = 3;
/** First of the slots that decide between the worker's claim and the pool's take-back. */
export const CANCEL = 4;
/** Jobs handed to one worker at a time: enough that tiny jobs never wait on a round trip. */
export const MAX_IN_FLIGHT = 32;
/**
 * A worker is handed more jobs once it has at most this many left, and then up to MAX_IN_FLIGHT
 * in one message: the jobs travel in batches, not one message each.
 */
export const REFILL_AT = 12;
/** Well above MAX_IN_FLIGHT, so jobs taken back do not hold a worker's refills up. */
export const CANCEL_SLOTS = 4 * MAX_IN_FLIGHT;

/** What a worker is started with (its `workerData`). */
export interface WorkerSetup {
  /** The shared Int32Array's memory: STARTED, DONE, READY, STOP, then the cancel slots. */
  state: SharedArrayBuffer;
  layout: { started: number; done: number; ready: number; stop: number; cancel: number };
  cancelSlots: number;
  /** The registry key of TRANSFER, so that the worker's `Symbol.for` gives the same symbol. */
  transferKey: string;
  /** The worker retires after this many jobs (a map() chunk is one); 0 for no limit. */
  maxJobs: number;
  /** The worker retires once its heap holds more than this many bytes after a job; 0: none. */
  maxHeapBytes: number;
}

/** The workerData of a new worker. */
export function workerSetup(
  state: SharedArrayBuffer,
  maxJobs: number,
  maxHeapBytes: number,
): WorkerSetup {
  return {
    state,
    layout: { started: STARTED, done: DONE, ready: READY, stop: STOP, cancel: CANCEL },
    cancelSlots: CANCEL_SLOTS,
    transferKey: TRANSFER_KEY,
    maxJobs,
    maxHeapBytes,
  };
}

/** How the worker finds a function: its source, or a module export. */
export type FunctionDef = { src: string; name: string } | { url: string; exp: string };

/**
 * Jobs sent to a worker in one message. The first has seq `seq`, the next seq + 1, and so on.
 * `jobs` is flat: a function id (negated for a map() chunk, whose args are the chunk's items),
 * then the args array, for each job.
 */
export interface BatchMessage {
  seq: number;
  /** Function ids and definitions (flat) this worker sees for the first time; it caches them. */
  defs?: (number | FunctionDef)[];
  jobs: unknown[];
  /**
   * The seqs of the jobs that moved buffers to the worker (transfer()): the pool cannot take
   * them back, so a retiring worker still runs them before it is replaced.
   */
  moved?: number[];
}

/**
 * A map() chunk's answer: the values, the ms the worker spent on the chunk (from its first item
 * to its last, awaits included), then the error of the item that failed, if one did.
 */
export type ChunkResult = [
  values: unknown[],
  ms: number,
  error?: SerializedError | { $value: unknown },
];

/** An error as it crosses the thread boundary, with its cause chain. */
export interface SerializedError {
  $error: true;
  name: string;
  message: string;
  stack?: string;
  hasCause: boolean;
  cause?: unknown;
  errors?: unknown[];
  props: Record<string, unknown>;
  /**
   * The keys of the registry symbols starting with `corio.` that the error carries as `true`
   * (own or inherited): the brands that `isCancelledError` and the like check.
   */
  brands?: string[];
}

/**
 * A worker's answer to a job: its value, or its error, and the ms it ran (from its first step to
 * its last, awaits included).
 */
export type ResultMessage =
  | { seq: number; ok: true; value: unknown; ms: number }
  | { seq: number; ok: false; error: SerializedError | { $value: unknown }; ms: number };

/**
 * The worker stops taking jobs and asks to be replaced: it ran `maxJobs` jobs, or its heap grew
 * past `maxHeapBytes` (`heapUsed` then says how far). Sent after the result of its last job.
 */
export interface RetireMessage {
  retire: 'jobs' | 'heap';
  heapUsed: number;
}

/** What a worker sends: a job's answer, or its retirement. */
export type WorkerMessage = ResultMessage | RetireMessage;

/** The pool asks the worker to abort the signal of job `stop` if it is running it. */
export interface StopMessage {
  stop: number;
}

/** What the pool sends: jobs, or a stop. */
export type PoolMessage = BatchMessage | StopMessage;

/** corio's branded errors, rebuilt as this copy's classes so that `instanceof` holds too. */
const BRANDED: Record<string, new (message: string, options?: ErrorOptions) => Error> = {
  'corio.CancelledError': CancelledError,
  'corio.TimeoutError': TimeoutError,
  'corio.BrokenWorkerError': BrokenWorkerError,
};

const CONSTRUCTORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

/**
 * Rebuilds an error serialized by the worker, keeping its name, message, stack, cause and corio
 * brands (a CancelledError thrown in a worker is one here).
 */
export function deserializeError(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  if ('$value' in data) return data.$value;
  if (!('$error' in data)) return data;
  const e = data as SerializedError;
  const options = e.hasCause ? { cause: deserializeError(e.cause) } : undefined;
  let error: Error;
  if (e.errors !== undefined) {
    error = new AggregateError(e.errors.map(deserializeError), e.message, options);
  } else {
    const branded = e.brands?.find((brand) => Object.hasOwn(BRANDED, brand));
    const Ctor =
      branded !== undefined
        ? (BRANDED[branded] as ErrorConstructor)
        : Object.hasOwn(CONSTRUCTORS, e.name)
          ? (CONSTRUCTORS[e.name] as ErrorConstructor)
          : Error;
    error = new Ctor(e.message, options);
  }
  if (e.brands !== undefined) {
    for (const brand of e.brands) {
      const symbol = Symbol.for(brand);
      if (!(symbol in error)) Object.defineProperty(error, symbol, { value: true });
    }
  }
  if (error.name !== e.name) {
    Object.defineProperty(error, 'name', { value: e.name, writable: true, configurable: true });
  }
  Object.defineProperty(error, 'stack', { value: e.stack, writable: true, configurable: true });
  Object.assign(error, e.props);
  return error;
}
