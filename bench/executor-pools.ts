// The hand-written baselines of bench/executor.ts: the least a worker_threads pool can do.
import { Worker } from 'node:worker_threads';

// CommonJS, run with `eval: true`: adds two numbers and answers with the job's id.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, value: m.a + m.b }));
`;

interface Reply {
  id: number;
  value: number;
}

function startWorker(): Worker {
  return new Worker(WORKER_SOURCE, { eval: true });
}

/**
 * A minimal pool: one job in flight per worker, the rest in a FIFO queue; each answer sends that
 * worker the next job. The shape of most hand-written pools.
 */
export class OneInFlightPool {
  readonly #workers: Worker[];
  readonly #queue: { id: number; a: number; b: number }[] = [];
  #head = 0;
  readonly #pending = new Map<number, (value: number) => void>();
  readonly #idle: Worker[] = [];
  #nextId = 0;

  constructor(size: number) {
    this.#workers = Array.from({ length: size }, () => {
      const worker = startWorker();
      worker.on('message', (reply: Reply) => {
        const resolve = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        resolve?.(reply.value);
        this.#next(worker);
      });
      return worker;
    });
    this.#idle.push(...this.#workers);
  }

  run(a: number, b: number): Promise<number> {
    const id = this.#nextId++;
    const promise = new Promise<number>((resolve) => this.#pending.set(id, resolve));
    this.#queue.push({ id, a, b });
    const worker = this.#idle.pop();
    if (worker !== undefined) this.#next(worker);
    return promise;
  }

  #next(worker: Worker): void {
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
      this.#idle.push(worker);
      return;
    }
    worker.postMessage(this.#queue[this.#head++]);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

/**
 * Not a pool: every job posted at once, round-robin, one message each way per job, no queue and
 * no scheduling. The ceiling of one-message-per-job designs.
 */
export class PostAllAtOnce {
  readonly #workers: Worker[];

  constructor(size: number) {
    this.#workers = Array.from({ length: size }, startWorker);
  }

  /** Runs jobs 0..n-1 (a = i, b = 1); resolves with the sum of the results. */
  runAll(n: number): Promise<number> {
    return new Promise((resolve) => {
      let left = n;
      let sum = 0;
      const onReply = (reply: Reply): void => {
        sum += reply.value;
        if (--left === 0) {
          for (const worker of this.#workers) worker.off('message', onReply);
          resolve(sum);
        }
      };
      for (const worker of this.#workers) worker.on('message', onReply);
      for (let i = 0; i < n; i++) {
        (this.#workers[i % this.#workers.length] as Worker).postMessage({ id: i, a: i, b: 1 });
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

// CommonJS, run with `eval: true`: the hash loop of the CPU-bound case, `rounds` from each message.
const HASH_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (rounds) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < rounds; i++) h = Math.imul(h ^ (i & 0xff), 16777619) >>> 0;
  parentPort.postMessage(h);
});
`;

/**
 * The CPU-bound case without a pool: each worker thread runs its share of the jobs one after
 * another. What the machine allows at the moment, the reference for the pool's speedup.
 */
export class RawHashWorkers {
  readonly #workers: Worker[];

  constructor(size: number) {
    this.#workers = Array.from(
      { length: size },
      () => new Worker(HASH_WORKER_SOURCE, { eval: true }),
    );
  }

  /** Runs `jobs` hash loops of `rounds`, spread evenly; resolves with their hashes. */
  async run(jobs: number, rounds: number): Promise<number[]> {
    const one = (worker: Worker): Promise<number> =>
      new Promise((resolve) => {
        worker.once('message', resolve);
        worker.postMessage(rounds);
      });
    const shares = this.#workers.map(async (worker, w) => {
      const hashes: number[] = [];
      for (let i = w; i < jobs; i += this.#workers.length) hashes.push(await one(worker));
      return hashes;
    });
    return (await Promise.all(shares)).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
