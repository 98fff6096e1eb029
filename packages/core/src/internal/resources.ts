import { createHook } from 'node:async_hooks';
import type { AsyncHook, HookCallbacks } from 'node:async_hooks';

// What the virtual clock sees of the work that is not corio's: the resources Node creates while
// it is installed (async_hooks), kept until Node destroys them. A resource counts as work in
// progress if it is a timer still pending and referenced, a request (file system, DNS, connect,
// write, ...), or a referenced child process or worker thread; not if it is a long-lived handle
// that may wait forever (a socket, a server, a message port, an open file), nor if it was made
// before the clock was installed (the test runner's own timers, a timer the test set earlier):
// a baseline of process.getActiveResourcesInfo() would confuse one of the runner's timers ending
// with one of the test's beginning. Immediates are seen through getActiveResourcesInfo(), which
// lists them whoever made them. It also counts the callbacks that other code's resources run
// (`before`), old resources included: data arriving on a socket is progress.

/**
 * The async_hooks types of work in progress: timers, requests (file system, DNS, connect,
 * write, shutdown, send, crypto and the like), child processes and worker threads. Not the
 * long-lived handles (sockets, servers, ports, open files), nor promises and AsyncResources.
 */
const WORK =
  /^(?:Timeout|PROCESSWRAP|WORKER|FSREQ\w*)$|REQ(?:UEST|WRAP)?$|(?:CONNECT|WRITE|SHUTDOWN|SEND|QUERY)WRAP$/;

/** The handles that the virtual clock's own machinery made: never foreign work. */
const own = new WeakSet<object>();

/** Marks a handle as the clock's own. */
export function markOwn<T extends object>(handle: T): T {
  own.add(handle);
  return handle;
}

interface Tracked {
  readonly type: string;
  readonly resource: { hasRef?: () => boolean; _destroyed?: boolean };
}

/** Watches the resources made from now on, and the callbacks that run, until closed. */
export class ForeignWork {
  // #made holds every resource made since the constructor (but promises) until destroyed.
  readonly #made = new Map<number, Tracked>();
  readonly #hook: AsyncHook;
  #progress = 0;

  constructor() {
    const callbacks: HookCallbacks & { trackPromises: boolean } = {
      init: (asyncId, type, _trigger, resource) => {
        if (type !== 'PROMISE') this.#made.set(asyncId, { type, resource });
      },
      before: (asyncId) => {
        const made = this.#made.get(asyncId);
        if (made === undefined || !own.has(made.resource)) this.#progress++;
      },
      destroy: (asyncId) => {
        this.#made.delete(asyncId);
      },
      // Node 24: no promise hooks, the costly part (older versions ignore it; PROMISE is skipped).
      trackPromises: false,
    };
    this.#hook = createHook(callbacks).enable();
  }

  /**
   * Counts the callbacks of other code that Node has run (I/O, timers, immediates: anything but
   * promise reactions and the clock's own): data that arrived on a socket, for one.
   */
  get progress(): number {
    return this.#progress;
  }

  /** Stops watching. */
  close(): void {
    this.#hook.disable();
    this.#made.clear();
  }

  /**
   * The kinds of foreign work in progress, as `Timeout x2`; empty if none. A pending immediate
   * always counts (whoever made it).
   */
  pending(): string[] {
    const counts = new Map<string, number>();
    for (const [asyncId, { type, resource }] of this.#made) {
      if (!WORK.test(type) || own.has(resource)) continue;
      if (resource._destroyed === true) {
        this.#made.delete(asyncId);
        continue;
      }
      if (typeof resource.hasRef === 'function' && !resource.hasRef()) continue;
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    if (immediatePending()) counts.set('Immediate', 1);
    return [...counts].map(([type, count]) => (count === 1 ? type : `${type} x${String(count)}`));
  }
}

/** Whether an immediate is pending (a `sleep(0)`, or any other code's `setImmediate`). */
export function immediatePending(): boolean {
  return process.getActiveResourcesInfo().includes('Immediate');
}
