import { isCancelledError } from '../errors.js';
import type { CancelledError } from '../errors.js';
import { hasCause } from './abort-state.js';
import { nodeStorage, runtime } from './current.js';
import { SCOPE_FRAME, markFrames } from './ownership.js';
import {
  DESCRIBE,
  IS_CANCELLATION,
  LINEAGE,
  NODE_ABORT,
  NODE_PARENT,
  NODE_SIGNAL,
  NODE_TASK,
  REQUEST,
  SCOPE_CLOSE,
} from './protocol.js';
import type { CancelNode, Lineage, Printable, ScopeSide, TaskSide } from './protocol.js';

/**
 * A cancel scope (Trio's model): a node in the async context, below the task or scope it was
 * opened in. A wait belongs to the innermost node of the context it began in, so cancelling a
 * scope interrupts exactly the waits begun inside its body and in the callbacks set up there.
 * The cancellation bookkeeping lives in the task (see task.ts); a scope is only its place in the
 * tree, the request counter snapshot taken when it opened, and its signal.
 */
export class ScopeNode implements ScopeSide {
  /** @internal */
  readonly [NODE_TASK]: TaskSide;
  /** @internal */
  readonly [NODE_PARENT]: CancelNode;
  /** The request sequence when the scope opened: requests numbered above it came later. */
  readonly entrySeq = runtime.seq;
  // Made on demand: most scopes are never asked for a signal nor cancelled.
  #controller: AbortController | undefined = undefined;
  #signal: AbortSignal | undefined = undefined;
  #reason: CancelledError | undefined = undefined;
  // For taskTree() only: what opened the scope (a TimeoutScope, a TaskGroup), and the lineage
  // kept by the tasks created inside it (made by the first; cleared when the scope closes).
  readonly #owner: (Printable & { [DESCRIBE]?: () => string }) | undefined;
  #lineage: Lineage | undefined = undefined;

  /** @param owner - what opened the scope, which describes it in the task tree. */
  constructor(parent: CancelNode, owner?: Printable) {
    this[NODE_TASK] = parent[NODE_TASK];
    this[NODE_PARENT] = parent;
    this.#owner = owner;
  }

  /** @internal For taskTree(): the printed state of what opened the scope. */
  [DESCRIBE](): string {
    const owner = this.#owner;
    if (owner === undefined) return 'scope';
    return owner[DESCRIBE]?.() ?? owner.toString();
  }

  /** @internal For taskTree(): see protocol.ts, Lineage. */
  [LINEAGE](): Lineage | undefined {
    return (this.#lineage ??= { node: this, up: this[NODE_PARENT][LINEAGE]?.() });
  }

  /** @internal Aborted when this scope or an enclosing node is cancelled. */
  get [NODE_SIGNAL](): AbortSignal {
    this.#signal ??= AbortSignal.any([this[NODE_PARENT][NODE_SIGNAL], this.#own().signal]);
    return this.#signal;
  }

  /** @internal */
  [NODE_ABORT](reason: CancelledError): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }

  /** @internal */
  [IS_CANCELLATION](error: unknown): boolean {
    if (isCancelledError(error)) return true;
    if (this.#reason !== undefined && hasCause(error, this.#reason)) return true;
    return this[NODE_PARENT][IS_CANCELLATION](error);
  }

  /** Cancels the scope: its body's waits, and those of the callbacks set up in it. */
  cancel(message?: string): void {
    this[NODE_TASK][REQUEST](this, message);
  }

  /**
   * Closes the scope; returns whether an enclosing node was cancelled meanwhile and still is.
   * With `rearm`, such a cancellation already delivered inside is made pending again.
   */
  close(rearm: boolean): boolean {
    const lineage = this.#lineage;
    // The tasks created inside and still pending now belong to the enclosing node.
    if (lineage !== undefined) lineage.node = undefined;
    return this[NODE_TASK][SCOPE_CLOSE](this, this.entrySeq, rearm);
  }

  #own(): AbortController {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller;
  }
}

/**
 * Runs `body(arg)` inside `scope` and returns what it returns. The caller awaits the result
 * in its own (enclosing) context; the body, and everything it sets up, runs in the scope's.
 */
export function enterScope<A, R>(scope: ScopeNode, body: (arg: A) => R, arg: A): R {
  return nodeStorage.run(scope, body, arg);
}

/**
 * Wraps a scope runner (an async function that awaits a body run with {@link enterScope}) so
 * that its frames mark the body's await chain (see ownership.ts).
 */
export function scopeRunner<F extends (...args: never[]) => Promise<unknown>>(fn: F): F {
  return markFrames(fn, SCOPE_FRAME);
}
