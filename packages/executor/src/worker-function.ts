import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';

const WORKER_FUNCTION = Symbol.for('corio.WorkerFunction');

/**
 * An exported function of a module, named for a worker: see {@link workerFunction}.
 *
 * @typeParam F - the function's type.
 */
export interface WorkerFunction<F extends (...args: never[]) => unknown> {
  /** The module's URL, as the worker imports it. */
  readonly moduleUrl: string;
  /** The name of the export. */
  readonly exportName: string;
  /**
   * Carries `F` for type inference; never set. Kept in the published types (so that a
   * WorkerFunction of one signature is not another's), hidden from the API reference.
   * @hidden
   */
  readonly __type?: F;
}

/**
 * Names the function `exportName` of the module at `moduleUrl`, to run in a worker with its own
 * imports (asyncio sends a pickled reference to a module-level function the same way).
 *
 * Each worker imports the module once, on its first job of that function. Use it for code that
 * needs imports or shared helpers; a self-contained function can be passed directly instead.
 *
 * @typeParam F - the function's type, usually `typeof import('./module.js').name`.
 * @param moduleUrl - a `file:` URL (`new URL('./jobs.js', import.meta.url)`), or an absolute path.
 * @param exportName - the export to call.
 * @returns a reference that `submit`, `runInExecutor` and `toThread` accept.
 * @throws `TypeError` if `moduleUrl` is a relative path or `exportName` is not a string.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { writeFileSync, mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { WorkerPoolExecutor, workerFunction } from '@corio/executor';
 *
 * const file = join(mkdtempSync(join(tmpdir(), 'corio-')), 'jobs.mjs');
 * writeFileSync(file, 'export const double = (x) => 2 * x;\n');
 * const double = workerFunction<(x: number) => number>(file, 'double');
 *
 * const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
 * assert.equal(await pool.submit(double, 21), 42);
 * await pool.shutdown();
 * ```
 */
export function workerFunction<F extends (...args: never[]) => unknown>(
  moduleUrl: string | URL,
  exportName: string,
): WorkerFunction<F> {
  let url: string;
  if (moduleUrl instanceof URL) url = moduleUrl.href;
  else if (typeof moduleUrl === 'string' && isAbsolute(moduleUrl))
    url = pathToFileURL(moduleUrl).href;
  else if (typeof moduleUrl === 'string' && /^[a-z][a-z\d+.-]*:/i.test(moduleUrl)) url = moduleUrl;
  else {
    throw new TypeError(
      `workerFunction: 'moduleUrl' must be a URL or an absolute path, received ${JSON.stringify(moduleUrl)}`,
    );
  }
  if (typeof exportName !== 'string') {
    throw new TypeError(
      `workerFunction: 'exportName' must be a string, received ${typeof exportName}`,
    );
  }
  return Object.freeze({ [WORKER_FUNCTION]: true, moduleUrl: url, exportName });
}

/** Whether `value` came from {@link workerFunction}. */
export function isWorkerFunction(
  value: unknown,
): value is WorkerFunction<(...args: never[]) => unknown> {
  return typeof value === 'object' && value !== null && WORKER_FUNCTION in value;
}
