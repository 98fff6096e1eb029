import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { InvalidStateError, suspend } from '@corio/core';
import type { SignalOptions } from '@corio/core';
import type { Client, RedisConnection } from './connection.js';
import { clientFor, explainFailure } from './connection.js';
import { subscribeWhenReady } from './internal/connection.js';
import { runScript } from './internal/run-script.js';
import { ACQUIRE, COUNT, HEARTBEAT, LEAVE, RENEW } from './internal/semaphore-scripts.js';

/** Options for {@link RedisSemaphore}. */
export interface RedisSemaphoreOptions {
  /** Where Redis is: see {@link RedisConnection}. */
  connection: RedisConnection;
  /** The semaphore's name: every process that uses the same name shares its permits. */
  name: string;
  /** How many permits there are, across all processes. Every user of the name gives the same. */
  limit: number;
  /**
   * A permit whose holder stops renewing it (the process crashed or froze) comes back after
   * this many ms; so does the place in the queue of a waiter that stops. Held permits and
   * places are renewed every `leaseMs / 3` while the process lives.
   * @default 30000
   */
  leaseMs?: number | undefined;
  /**
   * The start of the semaphore's Redis keys and channel.
   * @default 'corio:semaphore:'
   */
  prefix?: string | undefined;
}

/** A release that `await using` and `using` can run: see {@link RedisSemaphore.guard}. */
export type RedisGuard = AsyncDisposable & Disposable;

/**
 * A local caller waiting for a permit: `waiting`, then `granted` (resolved) or `gone` (gave up,
 * rejected, or closed). Two attempts may be in flight for one waiter (its arrival and a wake-up):
 * the second must not mistake a grant for a giving up.
 */
interface Waiter {
  readonly token: string;
  readonly resolve: (value: true) => void;
  readonly reject: (reason: unknown) => void;
  state: 'waiting' | 'granted' | 'gone';
}

/**
 * A semaphore whose permits are shared by every process that uses its name on one Redis (corio's
 * {@link https://corio.dev/api/core/classes/Semaphore | Semaphore}, across machines): at most
 * `limit` holders at once, FIFO-fair across processes, cancellation-safe, and with leases so that
 * the permit of a holder that crashed comes back.
 *
 * `acquire()` waits in a queue kept in Redis, in order of arrival. Inside a task it is a
 * cancellation point, and `{ signal }` gives up: a waiter that gives up leaves the queue, and a
 * permit granted in the same instant as the cancel is given back, never kept. Waiters are woken
 * by Redis pub/sub when a permit comes back, not by polling; the only timers are the lease
 * renewals and a retry when the first lease would run out.
 *
 * Call `close()` (or use `await using`) when done: it gives back what this object holds and
 * ends its connections, and the process can then exit.
 *
 * Permits are interchangeable: `release()` gives back the oldest one this object holds.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { RedisSemaphore } from '@corio/redis';
 *
 * const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
 * await using partnerApi = new RedisSemaphore({
 *   connection: url,
 *   name: 'partner-api',
 *   limit: 10, // across every instance of the service
 * });
 * const answer = await partnerApi.use(async () => 'within the limit');
 * assert.equal(answer, 'within the limit');
 * ```
 */
export class RedisSemaphore implements AsyncDisposable {
  // Invariants: #waiters holds the unsettled local waiters in order of arrival; #held the tokens
  // this object holds, oldest first; timers run only while there is something to renew or wait.
  readonly name: string;
  readonly limit: number;
  readonly leaseMs: number;
  readonly #client: Client;
  readonly #keys: readonly [holders: string, queue: string, alive: string, tickets: string];
  readonly #channel: string;
  #subscriber: Promise<Redis> | undefined = undefined;
  #waiters: Waiter[] = [];
  #held: string[] = [];
  #passing = false;
  #again = false;
  #retryTimer: NodeJS.Timeout | undefined = undefined;
  #renewTimer: NodeJS.Timeout | undefined = undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined = undefined;
  /** Releases and leaves sent and not answered: close() waits for them. */
  readonly #sending = new Set<Promise<unknown>>();
  #closed = false;

  /**
   * @param options - see {@link RedisSemaphoreOptions}.
   * @throws `TypeError` for a missing or wrong `name` or `connection`, `RangeError` for a
   * `limit` that is not a positive integer or a `leaseMs` below 100.
   */
  constructor(options: RedisSemaphoreOptions) {
    const where = 'Cannot create RedisSemaphore';
    if (typeof options !== 'object' || (options as unknown) === null) {
      throw new TypeError(`${where}: 'options' must be an object`);
    }
    const { name, limit, leaseMs = 30_000, prefix = 'corio:semaphore:' } = options;
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`${where}: 'name' must be a non-empty string, received ${show(name)}`);
    }
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`${where}: 'limit' must be a positive integer, received ${show(limit)}`);
    }
    if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs < 100) {
      throw new RangeError(
        `${where}: 'leaseMs' must be a finite number of ms from 100 up, received ${show(leaseMs)}`,
      );
    }
    if (typeof prefix !== 'string') {
      throw new TypeError(`${where}: 'prefix' must be a string, received ${show(prefix)}`);
    }
    this.name = name;
    this.limit = limit;
    this.leaseMs = leaseMs;
    // One hash tag: on a Redis Cluster every key of the semaphore is on one slot.
    const base = `${prefix}{${name}}`;
    this.#keys = [`${base}:holders`, `${base}:queue`, `${base}:alive`, `${base}:tickets`];
    this.#channel = `${base}:wake`;
    this.#client = clientFor(options.connection, where);
  }

  /** How many permits this object holds now. */
  get held(): number {
    return this.#held.length;
  }

  /** How many of this object's callers wait for a permit. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Waits for a permit, in order of arrival across every process, and takes it.
   *
   * @param options - see `SignalOptions`: an abort gives up the place in the queue.
   * @returns `true` once the permit is held.
   * @throws (as a rejection) `InvalidStateError` after `close()`; `CancelledError` or the
   * signal's reason if given up; an Error saying where Redis was looked for if it cannot be
   * reached (the caller then holds nothing).
   */
  acquire(options?: SignalOptions): Promise<true> {
    if (this.#closed) {
      return Promise.reject(
        new InvalidStateError(`Cannot acquire a permit of ${String(this)}: it is closed`),
      );
    }
    return suspend<true>((resolve, reject) => {
      const waiter: Waiter = { token: randomUUID(), resolve, reject, state: 'waiting' };
      this.#waiters.push(waiter);
      this.#startHeartbeat();
      void this.#arrive(waiter);
      return () => {
        // Given up before the permit was handed over. LEAVE goes after any ACQUIRE of this
        // token on the same connection, so it also gives back a permit granted meanwhile.
        waiter.state = 'gone';
        this.#forget(waiter);
        this.#leave(waiter.token);
      };
    }, options);
  }

  /**
   * Gives back a permit this object holds (the oldest). Returns at once; Redis hears of it in
   * the background (and `close()` waits for that).
   *
   * @throws `InvalidStateError` if this object holds no permit.
   */
  release(): void {
    const token = this.#held.shift();
    if (token === undefined) {
      throw new InvalidStateError(`Cannot release ${String(this)}: it holds no permit`);
    }
    if (this.#held.length === 0) this.#stopRenewing();
    this.#leave(token);
  }

  /**
   * Runs `fn` holding a permit, and gives it back however `fn` ends.
   *
   * @param fn - the work to limit.
   * @param options - see `SignalOptions` (for the wait only).
   * @returns what `fn` returns.
   */
  async use<T>(fn: () => T | PromiseLike<T>, options?: SignalOptions): Promise<T> {
    await this.acquire(options);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /**
   * Acquires a permit for `await using _ = await sem.guard()`: it is given back when the block
   * is left.
   *
   * @param options - see `SignalOptions`.
   * @returns the guard that releases the permit once.
   */
  async guard(options?: SignalOptions): Promise<RedisGuard> {
    await this.acquire(options);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.release();
    };
    return {
      [Symbol.dispose]: release,
      [Symbol.asyncDispose]: () => {
        release();
        return Promise.resolve();
      },
    };
  }

  /**
   * How many permits are held now across all processes (leases that have run out not counted).
   *
   * @returns a number from 0 to `limit`.
   */
  async count(): Promise<number> {
    return Number(await this.#run(COUNT, [this.#keys[0]], []));
  }

  /**
   * Stops: waiting callers reject with `InvalidStateError` and leave the queue, the permits this
   * object holds are given back, its timers stop and its connections end (a client passed in
   * `connection` is left open). Calling it again is harmless.
   */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const waiter of this.#waiters.splice(0)) {
        waiter.state = 'gone';
        this.#leave(waiter.token);
        waiter.reject(new InvalidStateError(`${String(this)} was closed while waiting`));
      }
      while (this.#held.length > 0) this.release();
      clearTimeout(this.#retryTimer);
      this.#stopRenewing();
      this.#stopHeartbeat();
    }
    await Promise.allSettled([...this.#sending]);
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber !== undefined) {
      await subscriber.then(
        (redis) => redis.quit(),
        () => undefined,
      );
    }
    if (this.#client.own && this.#client.redis.status !== 'end') {
      await this.#client.redis.quit().catch(() => undefined);
    }
  }

  /** `await using sem = new RedisSemaphore(...)`: the same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `<RedisSemaphore partner-api limit=10 held=1 waiting=0>` (this object's share). */
  toString(): string {
    const state = this.#closed ? ' closed' : '';
    return `<RedisSemaphore ${this.name}${state} limit=${String(this.limit)} held=${String(this.#held.length)} waiting=${String(this.#waiters.length)}>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- Waiting -----------------------------------------------------------------------------

  /** A new waiter takes its place in the queue at once (a ticket in order of arrival). */
  async #arrive(waiter: Waiter): Promise<void> {
    try {
      await this.#subscribe();
      const wait = await this.#attempt(waiter);
      if (wait > 0) this.#retryAfter(wait);
    } catch (error) {
      this.#failAll(error);
    }
  }

  /**
   * Tries the local waiters in order, until one must wait (those behind it must too): after a
   * wake-up, or when the first lease may have run out.
   */
  #pass(): void {
    if (this.#passing) {
      this.#again = true;
      return;
    }
    this.#passing = true;
    void (async () => {
      try {
        do {
          this.#again = false;
          for (const waiter of [...this.#waiters]) {
            if (waiter.state !== 'waiting') continue;
            const wait = await this.#attempt(waiter);
            if (wait > 0) {
              this.#retryAfter(wait);
              break;
            }
          }
        } while (this.#passAgain());
      } catch (error) {
        this.#failAll(error);
      } finally {
        this.#passing = false;
      }
    })();
  }

  /** Whether a wake-up came during a pass (TypeScript cannot see #pass's field change). */
  #passAgain(): boolean {
    return this.#again && !this.#closed;
  }

  /** Runs ACQUIRE for `waiter`: 0 if it holds a permit now (or gave up), else ms to wait. */
  async #attempt(waiter: Waiter): Promise<number> {
    if (waiter.state !== 'waiting') return 0;
    const reply = (await this.#run(ACQUIRE, this.#keys, [
      waiter.token,
      this.limit,
      this.leaseMs,
      this.#channel,
    ])) as [number, number];
    const state = stateOf(waiter);
    if (state === 'gone') {
      // Gave up meanwhile. Its LEAVE went after this ACQUIRE on the same connection, unless the
      // script had to be loaded again (NOSCRIPT) in between: a second LEAVE gives back what
      // this granted either way.
      if (reply[0] === 1) this.#leave(waiter.token);
      return 0;
    }
    if (state === 'granted') return 0; // the other attempt in flight got there first
    if (reply[0] !== 1) return reply[1];
    this.#grant(waiter);
    return 0;
  }

  /** The waiter holds a permit now: it resolves (once). */
  #grant(waiter: Waiter): void {
    if (waiter.state !== 'waiting') return;
    waiter.state = 'granted';
    this.#forget(waiter);
    this.#held.push(waiter.token);
    this.#startRenewing();
    waiter.resolve(true);
  }

  #retryAfter(ms: number): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = undefined;
        this.#pass();
      },
      Math.min(ms, this.leaseMs),
    );
  }

  #forget(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index !== -1) this.#waiters.splice(index, 1);
    if (this.#waiters.length === 0) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#stopHeartbeat();
    }
  }

  /** Redis failed under the waiters: each rejects with the error, holding nothing. */
  #failAll(error: unknown): void {
    const reason = explainFailure(error, this.#client.redis);
    for (const waiter of this.#waiters.splice(0)) {
      waiter.state = 'gone';
      this.#leave(waiter.token);
      waiter.reject(reason);
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#stopHeartbeat();
  }

  /** The wake-up channel, subscribed before the first ACQUIRE so no publish is missed. */
  #subscribe(): Promise<Redis> {
    this.#subscriber ??= (async () => {
      const redis = this.#client.redis.duplicate();
      redis.on('message', (channel: string, message: string) => {
        if (channel !== this.#channel || this.#waiters.length === 0) return;
        if (message === 'purged') this.#pass();
        else this.#granted(message.split(' '));
      });
      // A subscriber that could not connect: waiters fall back on their retry timers. One that
      // reconnected may have missed a hand-over: the waiters try again.
      redis.on('error', noop);
      redis.on('ready', () => {
        if (this.#waiters.length > 0) this.#pass();
      });
      await subscribeWhenReady(redis, this.#channel, `RedisSemaphore('${this.name}')`);
      return redis;
    })();
    return this.#subscriber;
  }

  // ---- Leases ------------------------------------------------------------------------------

  #startRenewing(): void {
    if (this.#renewTimer !== undefined) return;
    this.#renewTimer = setInterval(() => {
      if (this.#held.length === 0) return;
      this.#send(RENEW, [this.#keys[0]], [this.leaseMs, ...this.#held]);
    }, this.leaseMs / 3);
    // Holding a permit does not keep the process alive; its connection does, until close().
    this.#renewTimer.unref();
  }

  #stopRenewing(): void {
    clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
  }

  #startHeartbeat(): void {
    if (this.#heartbeatTimer !== undefined) return;
    this.#heartbeatTimer = setInterval(() => {
      const tokens = this.#waiters.map((w) => w.token);
      if (tokens.length > 0) {
        this.#send(HEARTBEAT, [this.#keys[1], this.#keys[2]], [this.leaseMs, ...tokens]);
      }
    }, this.leaseMs / 3);
    this.#heartbeatTimer.unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
  }

  // ---- Redis -------------------------------------------------------------------------------

  #run(script: string, keys: readonly string[], args: readonly (string | number)[]) {
    return runScript(this.#client.redis, script, keys, args).catch((error: unknown) => {
      throw explainFailure(error, this.#client.redis);
    });
  }

  /**
   * Gives up `token`'s permit or place (LEAVE), in the background; the permits it hands on to
   * this object's waiters are theirs at once (other processes hear of theirs on the channel).
   */
  #leave(token: string): void {
    const keys = [this.#keys[0], this.#keys[1], this.#keys[2]];
    const sent = runScript(this.#client.redis, LEAVE, keys, [
      token,
      this.#channel,
      this.limit,
      this.leaseMs,
    ]).then((granted) => {
      this.#granted(granted as string[]);
    }, noop);
    this.#sending.add(sent);
    void sent.finally(() => this.#sending.delete(sent));
  }

  /** LEAVE handed permits to these tokens: those of this object's waiters resolve. */
  #granted(tokens: readonly string[]): void {
    for (const token of tokens) {
      const waiter = this.#waiters.find((w) => w.token === token);
      if (waiter !== undefined) this.#grant(waiter);
    }
  }

  /** Runs a script in the background; close() waits for it. A failure leaves it to the lease. */
  #send(script: string, keys: readonly string[], args: readonly (string | number)[]): void {
    const sent = runScript(this.#client.redis, script, keys, args).catch(noop);
    this.#sending.add(sent);
    void sent.finally(() => this.#sending.delete(sent));
  }
}

/** Read through a call: TypeScript would keep the value it had before an await. */
function stateOf(waiter: Waiter): Waiter['state'] {
  return waiter.state;
}

function noop(): void {
  // nothing to do
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
