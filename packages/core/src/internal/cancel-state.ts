import { AbortState } from './abort-state.js';
import { runtime } from './current.js';
import { ownership } from './ownership.js';
import type { Ownership } from './ownership.js';
import { NODE_PARENT, NO_CANCEL } from './protocol.js';
import type { CancelMessage, CancelNode } from './protocol.js';

/** The cancel requests made on one node (the task, or one of its open scopes). */
class Requests {
  /** Requests not withdrawn: for the task, `cancel()` calls minus `uncancel()` calls. */
  outstanding = 0;
  /** The latest request's number (see runtime.seq). */
  seq = 0;
  /** Requested and not yet delivered to the node's own code. */
  pending = false;
  /** The message of the request being delivered. */
  message: string | undefined = undefined;
  /** A scope's cancellation that counts in `cancelling()` (see CancelState.request). */
  counted = false;
  /** A scope whose cancellation reached code that is not the task's: it never counts. */
  foreign = false;

  toString(): string {
    const flags = `${this.pending ? ' pending' : ''}${this.counted ? ' counted' : ''}`;
    return `requests=${String(this.outstanding)}${flags}`;
  }
}

/**
 * A task's cancellation state, made by its first cancel request or scope request (most tasks
 * never need one). It keeps, for each node of the task that was cancelled, whether the
 * cancellation still waits to be delivered to that node's own code.
 *
 * Invariant: `pending` is the number of nodes whose requests are pending; the normal path of a
 * wait reads only that.
 */
export class CancelState {
  pending = 0;
  /** Open scopes whose cancellation counts in the task's `cancelling()`. */
  counted = 0;
  /** Whether the task's body is followed by the marker that makes its own code recognisable. */
  marked = false;
  readonly nodes = new Map<CancelNode, Requests>();
  /** The task's own signal. */
  readonly abort = new AbortState();

  /** Records a request on `node`; returns whether it is the first one not yet delivered. */
  request(node: CancelNode, message: string | undefined): boolean {
    let requests = this.nodes.get(node);
    if (requests === undefined) this.nodes.set(node, (requests = new Requests()));
    requests.outstanding++;
    requests.seq = ++runtime.seq;
    // asyncio counts a timeout's or a group's cancel in the task's cancelling() when it is
    // requested. So does this, provisionally: the first delivery tells whether the scope's body
    // is the task's own code, and a scope opened in a callback stops counting there (take).
    if (node[NODE_PARENT] !== undefined && !requests.counted && !requests.foreign) {
      requests.counted = true;
      this.counted++;
    }
    if (requests.pending) return false;
    requests.pending = true;
    requests.message = message;
    this.pending++;
    return true;
  }

  /** Withdraws one request on `node`; returns how many are left. */
  withdraw(node: CancelNode): number {
    const requests = this.nodes.get(node);
    if (requests === undefined || requests.outstanding === 0) return 0;
    if (--requests.outstanding === 0) this.#forget(node, requests);
    return requests.outstanding;
  }

  /** How many requests on `node` are outstanding. */
  outstanding(node: CancelNode): number {
    return this.nodes.get(node)?.outstanding ?? 0;
  }

  /**
   * The message of the outermost request pending on `node` or a node enclosing it, or NO_CANCEL:
   * a wait that begins there is interrupted (and its reaction decides whose code it reached).
   */
  pendingAbove(node: CancelNode): CancelMessage {
    let message: CancelMessage = NO_CANCEL;
    for (let current: CancelNode | undefined = node; current; current = current[NODE_PARENT]) {
      const requests = this.nodes.get(current);
      if (requests?.pending === true) message = requests.message;
    }
    return message;
  }

  /** The message of a request on `node` not yet delivered, or NO_CANCEL. */
  pendingOn(node: CancelNode): CancelMessage {
    const requests = this.nodes.get(node);
    return requests?.pending === true ? requests.message : NO_CANCEL;
  }

  /**
   * Consumes the requests pending on `node` and the nodes enclosing it whose own code is the
   * code running now (decided by its async stack trace: call it from a reaction chained to a
   * wait's promise, or pass what ownership.ts read there as `owner`); returns the message to
   * deliver (the outermost one's), or NO_CANCEL.
   */
  take(node: CancelNode, owner?: Ownership): CancelMessage {
    let message: CancelMessage = NO_CANCEL;
    let own = owner;
    let depth = 0;
    for (let current: CancelNode | undefined = node; current; current = current[NODE_PARENT]) {
      const isScope = current[NODE_PARENT] !== undefined;
      if (isScope) depth++;
      const requests = this.nodes.get(current);
      if (requests?.pending !== true) continue;
      own ??= ownership();
      if (!(isScope ? own.scopes >= depth : own.task)) continue;
      requests.pending = false;
      this.pending--;
      message = requests.message;
      if (isScope && !own.task && !requests.foreign) {
        // The scope's body is a callback's code: its cancellation is not the task's.
        requests.foreign = true;
        if (requests.counted) {
          requests.counted = false;
          this.counted--;
        }
      }
    }
    return message;
  }

  /**
   * Forgets a closing scope; returns whether a node enclosing it has an outstanding request made
   * while it was open (numbered above `entrySeq`). With `rearm`, such a request already delivered
   * becomes pending again.
   */
  close(node: CancelNode, entrySeq: number, rearm: boolean): boolean {
    const requests = this.nodes.get(node);
    if (requests !== undefined) this.#forget(node, requests);
    const parent = node[NODE_PARENT];
    return parent !== undefined && this.cancelledSince(parent, entrySeq, rearm);
  }

  /**
   * Whether `node` or a node enclosing it has an outstanding request numbered above `entrySeq`;
   * with `rearm`, such a request already delivered becomes pending again.
   */
  cancelledSince(node: CancelNode, entrySeq: number, rearm: boolean): boolean {
    let outer = false;
    for (let current: CancelNode | undefined = node; current; current = current[NODE_PARENT]) {
      const enclosing = this.nodes.get(current);
      if (enclosing === undefined || enclosing.outstanding === 0 || enclosing.seq <= entrySeq) {
        continue;
      }
      outer = true;
      if (rearm && !enclosing.pending) {
        enclosing.pending = true;
        this.pending++;
      }
    }
    return outer;
  }

  toString(): string {
    const nodes = [...this.nodes.values()].map(String).join('; ');
    return `<CancelState pending=${String(this.pending)} counted=${String(this.counted)} ${nodes}>`;
  }

  #forget(node: CancelNode, requests: Requests): void {
    if (requests.pending) this.pending--;
    if (requests.counted) this.counted--;
    this.nodes.delete(node);
  }
}
