import type { WorkerOptions } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';

/**
 * The `execArgv` a worker gets when the user gave none: undefined lets Node hand the worker the
 * process's own (leaving out the flags a worker cannot take, such as --max-old-space-size). But
 * a program started with `node -e code` or `--input-type` would pass those on too, and a worker
 * started from a file refuses them: then the process's list without them is given instead, less
 * any flag Node then names as not allowed in a worker (learnt once, on the first refusal).
 */
let derived: string[] | undefined | null = null;

function defaultExecArgv(): string[] | undefined {
  if (derived !== null) return derived;
  const argv = process.execArgv;
  const out: string[] = [];
  let evaluates = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') {
      evaluates = true;
      i++;
    } else if (/^(--eval=|--print=|--input-type)/.test(arg)) evaluates = true;
    else out.push(arg);
  }
  derived = evaluates ? out : undefined;
  return derived;
}

/**
 * Starts a worker on `file`: with `options.execArgv` as given, or the default above.
 *
 * @throws what `new Worker` throws for options Node refuses (ERR_WORKER_INVALID_EXEC_ARGV for
 * a flag given explicitly, a TypeError for a bad `env`).
 */
export function startWorker(file: URL, options: WorkerOptions): Worker {
  if (options.execArgv !== undefined) return new Worker(file, options);
  const execArgv = defaultExecArgv();
  if (execArgv === undefined) return new Worker(file, options);
  try {
    return new Worker(file, { ...options, execArgv });
  } catch (error) {
    const refused = refusedFlags(error);
    if (refused === undefined) throw error;
    derived = execArgv.filter((arg) => !refused.includes(arg));
    return new Worker(file, { ...options, execArgv: derived });
  }
}

/** The flags named by Node's ERR_WORKER_INVALID_EXEC_ARGV, if `error` is one. */
function refusedFlags(error: unknown): string[] | undefined {
  if (
    !(error instanceof Error) ||
    (error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV'
  ) {
    return undefined;
  }
  const list = /flags: (.*)$/.exec(error.message)?.[1];
  return list?.split(', ');
}
