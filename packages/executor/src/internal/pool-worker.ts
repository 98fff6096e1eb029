import type { ResourceLimits, SHARE_ENV } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import type { JobFuture } from './job.js';
import { liveWorkers } from './live-workers.js';
import type { ResultMessage } from './protocol.js';
import { CANCEL, CANCEL_SLOTS, DONE, MAX_IN_FLIGHT, STARTED } from './protocol.js';

// Beside src/ in the sources and beside dist/ once built: both are one level up from internal/.
const BOOTSTRAP = new URL('../worker.js', import.meta.url);

/** A job, whatever its result type. */
export type Job = JobFuture<unknown>;

/** What a new worker is started with. */
export interface SpawnOptions {
  resourceLimits: ResourceLimits | undefined;
  execArgv: string[] | undefined;
  env: NodeJS.Dict<string> | typeof SHARE_ENV | undefined;
}

/** What taking back a handed-over job found: taken back, already running, or finished. */
export type Revoke = 'revoked' | 'running' | 'finished';

/** A worker thread and the jobs handed to it. Invariant: `inflight` is in seq order. */
export class PoolWorker {
  readonly thread: Worker;
  readonly inflight: Job[] = [];
  /** Jobs picked for this worker during the current dispatch, sent together at its end. */
  readonly outbox: Job[] = [];
  /** How many more jobs it may be given in the current dispatch. */
  room = 0;
  /** The function ids whose definition this worker has received. */
  readonly defs = new Set<number>();
  nextSeq = 1;
  idleTimer: NodeJS.Timeout | undefined = undefined;
  /** What crashed it, from the 'error' event. */
  crash: { error: unknown } | undefined = undefined;
  /** Set once the pool terminates it on purpose (cancel, idle, shutdown). */
  retired = false;
  readonly #state: Int32Array;

  constructor(options: SpawnOptions, onMessage: (w: PoolWorker, m: ResultMessage) => void) {
    const buffer = new SharedArrayBuffer((CANCEL + CANCEL_SLOTS) * Int32Array.BYTES_PER_ELEMENT);
    this.#state = new Int32Array(buffer);
    this.thread = new Worker(BOOTSTRAP, {
      workerData: { state: buffer, cancelSlots: CANCEL_SLOTS },
      resourceLimits: options.resourceLimits,
      execArgv: options.execArgv ?? inheritedExecArgv(),
      env: options.env,
    });
    this.thread.unref();
    const live = liveWorkers();
    live.add(this.thread);
    this.thread.on('exit', () => {
      live.delete(this.thread);
    });
    this.thread.on('message', (m: ResultMessage) => {
      onMessage(this, m);
    });
    this.thread.on('error', (error) => {
      this.crash ??= { error };
    });
  }

  /** The seq of the last job the worker began and of the last it finished. */
  progress(): { started: number; done: number } {
    return { started: Atomics.load(this.#state, STARTED), done: Atomics.load(this.#state, DONE) };
  }

  /**
   * Takes an in-flight job back if the worker has not begun it: writes -seq in the job's slot
   * unless the worker wrote +seq first (see protocol.ts).
   */
  revoke(job: Job): Revoke {
    const { seq } = job;
    const slot = CANCEL + (seq % CANCEL_SLOTS);
    for (;;) {
      const current = Atomics.load(this.#state, slot);
      if (current === -seq) return 'revoked';
      // Claimed by the worker; or the slot serves a later job, so this one is long decided.
      if (current === seq || Math.abs(current) > seq) {
        return Atomics.load(this.#state, DONE) >= seq ? 'finished' : 'running';
      }
      if (Atomics.compareExchange(this.#state, slot, current, -seq) === current) return 'revoked';
    }
  }

  /**
   * How many jobs it may be handed now: none while it has more than `refillAt` in flight (so jobs
   * go in batches), else up to MAX_IN_FLIGHT, and never a seq that could share a cancel slot
   * with one it has yet to check (see protocol.ts).
   */
  openRoom(refillAt: number): number {
    const load = this.inflight.length;
    if (load > refillAt) return 0;
    const unchecked = this.nextSeq - 1 - Atomics.load(this.#state, STARTED);
    return Math.max(0, Math.min(MAX_IN_FLIGHT - load, CANCEL_SLOTS - 1 - unchecked));
  }

  remove(job: Job): void {
    const index = this.inflight.indexOf(job);
    if (index !== -1) this.inflight.splice(index, 1);
  }

  toString(): string {
    return `<PoolWorker thread=${String(this.thread.threadId)} inflight=${String(this.inflight.length)}>`;
  }
}

/**
 * The parent's `execArgv` (so `--import tsx` and the like carry over) without the options that
 * name the main script's code: a worker given `node -e code`'s `-e code` never starts its own.
 */
function inheritedExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') i++;
    else if (!/^(--eval=|--print=|--input-type)/.test(arg)) out.push(arg);
  }
  return out;
}
