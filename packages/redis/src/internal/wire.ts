// What travels through Redis between a BullMQExecutor and its workers: a job's data, and the
// reply a worker pushes to the submitter's reply list.
import { deserialize, serialize } from 'node:v8';
import { CancelledError, TimeoutError } from '@corio/core';
import { BrokenWorkerError } from '@corio/executor';

/**
 * A job's data as BullMQ stores it (JSON): the function's module and export in clear, so that a
 * dashboard shows what runs, and the arguments in V8's serialization (base64), so that they
 * travel by structured clone as they do to a local pool's threads (a `Date`, a `Map`, a
 * `Uint8Array` arrive as themselves).
 */
export interface JobData {
  /** The module's URL. */
  m: string;
  /** The export's name. */
  e: string;
  /** The arguments, `v8.serialize`d, base64. */
  a: string;
  /** The submitter's reply list. */
  r: string;
}

/** A job's outcome as the worker reports it. */
export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; error: SerializedError | { $value: unknown } }
  | { cancelled: true; started: boolean };

/** An error as it crosses processes, with its cause chain and corio brands. */
export interface SerializedError {
  $error: true;
  name: string;
  message: string;
  stack?: string | undefined;
  hasCause: boolean;
  cause?: unknown;
  errors?: unknown[];
  props: Record<string, unknown>;
  brands?: string[];
}

/** Structured clone to a string that JSON can carry. */
export function encode(value: unknown): string {
  return serialize(value).toString('base64');
}

/** The reverse of {@link encode}. */
export function decode(text: string): unknown {
  return deserialize(Buffer.from(text, 'base64'));
}

/** A reply: the job's id, then its outcome, encoded. */
export function encodeReply(jobId: string, outcome: Outcome): string {
  return `${jobId} ${encode(outcome)}`;
}

/** The reverse of {@link encodeReply}. */
export function decodeReply(reply: string): { jobId: string; outcome: Outcome } {
  const space = reply.indexOf(' ');
  return { jobId: reply.slice(0, space), outcome: decode(reply.slice(space + 1)) as Outcome };
}

function cloneable(value: unknown): boolean {
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}

/** The `corio.*` registry symbols `error` carries as `true`: the brands `isCancelledError` reads. */
function brandsOf(error: object): string[] | undefined {
  const brands: string[] = [];
  for (let o: object | null = error; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    for (const symbol of Object.getOwnPropertySymbols(o)) {
      const key = Symbol.keyFor(symbol);
      if (key?.startsWith('corio.') === true && (error as Record<symbol, unknown>)[symbol] === true)
        brands.push(key);
    }
  }
  return brands.length > 0 ? [...new Set(brands)] : undefined;
}

/**
 * An error as data: name, message, stack, cause (recursively), an AggregateError's errors, the
 * own properties that can be cloned, and its corio brands (the worker.js of @corio/executor does
 * the same between threads; this is the copy for between processes).
 */
export function serializeError(error: unknown, depth = 0): SerializedError | { $value: unknown } {
  if (!(error instanceof Error) || depth >= 16) {
    return { $value: cloneable(error) ? error : String(error) };
  }
  const out: SerializedError = {
    $error: true,
    name: error.name,
    message: error.message,
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    hasCause: 'cause' in error,
    props: {},
  };
  if (out.hasCause) out.cause = serializeError(error.cause, depth + 1);
  if (error instanceof AggregateError) {
    out.errors = (error.errors as unknown[]).map((e) => serializeError(e, depth + 1));
  }
  const brands = brandsOf(error);
  if (brands !== undefined) out.brands = brands;
  for (const key of Object.keys(error)) {
    if (['cause', 'errors', 'name', 'message', 'stack'].includes(key)) continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (cloneable(value)) out.props[key] = value;
  }
  return out;
}

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

/** Rebuilds an error made by {@link serializeError}. */
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
  for (const brand of e.brands ?? []) {
    const symbol = Symbol.for(brand);
    if (!(symbol in error)) Object.defineProperty(error, symbol, { value: true });
  }
  if (error.name !== e.name) {
    Object.defineProperty(error, 'name', { value: e.name, writable: true, configurable: true });
  }
  Object.defineProperty(error, 'stack', { value: e.stack, writable: true, configurable: true });
  Object.assign(error, e.props);
  return error;
}
