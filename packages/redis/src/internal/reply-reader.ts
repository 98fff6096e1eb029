// The submitter's end of its reply list: one blocking connection that pops the outcomes the
// workers push, in batches.
import type { Redis } from 'ioredis';

/** How many replies one LPOP takes after a BLPOP has woken up. */
const BATCH = 256;

/** Pops `key` until closed and hands each reply to `onReply`. */
export class ReplyReader {
  // Invariant: at most one loop runs; #closed implies the loop ends at its next step.
  #loop: Promise<void> | undefined = undefined;
  #closed = false;

  constructor(
    readonly client: Redis,
    readonly key: string,
    readonly onReply: (reply: string) => void,
  ) {}

  /** Starts the loop if it is not running. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Ends the loop: the blocking connection is dropped, which ends its pending BLPOP. */
  async close(): Promise<void> {
    this.#closed = true;
    this.client.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        // Timeout 0: blocks until a reply comes or close() drops the connection.
        const first = (await this.client.blpop(this.key, 0)) as [string, string];
        this.onReply(first[1]);
        for (;;) {
          const more = await this.client.lpop(this.key, BATCH);
          if (more === null) break;
          for (const reply of more) this.onReply(reply);
          if (more.length < BATCH) break;
        }
      } catch {
        // Closed, or the connection dropped: ioredis reconnects, and the replies wait in the list.
        await this.#backOff();
      }
    }
  }

  /** A pause before trying again, unless closed. */
  async #backOff(): Promise<void> {
    if (this.#closed) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
