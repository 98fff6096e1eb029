// The seams between tasks, scopes and waits. They are keyed with Symbol.for, not module-local
// symbols, because two copies of @corio/core can live in one process (a user who pins another
// version gets a nested copy under @corio/streams): a wait made by one copy must be a
// cancellation point of a task made by the other, and a scope of one must cancel the waits of
// the other. The `1` is the protocol's version; a copy that changes these seams bumps it.
//
// Members keyed by these symbols carry the TSDoc tag `internal` and are left out of the published
// types.

import type { CancelledError } from '../errors.js';
import type { Ownership } from './ownership.js';

/** A node's task: a task is its own root node; a scope belongs to the task it was opened in. */
export const NODE_TASK = Symbol.for('corio.1.task');
/** A node's enclosing node: undefined for a task (a task is cancelled only by its own cancel). */
export const NODE_PARENT = Symbol.for('corio.1.parent');
/** A node's AbortSignal: aborted when the node or any node enclosing it is cancelled. */
export const NODE_SIGNAL = Symbol.for('corio.1.signal');
/** Aborts a scope's own signal; called by its task when the scope is cancelled. */
export const NODE_ABORT = Symbol.for('corio.1.abort');

/**
 * Task: registers a wait that begins; returns the message of a cancellation pending for its node
 * or one enclosing it (deliver it now: the delivery decides whose code it reached), or NO_CANCEL.
 */
export const WAIT_BEGIN = Symbol.for('corio.1.waitBegin');
/** Task: a wait ended (settled, interrupted or aborted). */
export const WAIT_END = Symbol.for('corio.1.waitEnd');
/**
 * Task: consumes the cancellations pending for the code awaiting a wait begun in `node`, if that
 * code is theirs (see ownership.ts), and returns the message to deliver, or NO_CANCEL. Called
 * from a reaction chained to the wait's promise: the one that throws a delivered
 * `CancelledError`, or the check a primitive makes on resume, when it can still give a value
 * back.
 */
export const DELIVER = Symbol.for('corio.1.deliver');
/** Task: whether a cancellation is pending on `node` or a node enclosing it (no decision made). */
export const PENDING = Symbol.for('corio.1.pending');
/** Task: cancels `node` (the task itself or one of its open scopes). */
export const REQUEST = Symbol.for('corio.1.request');
/** Task: withdraws one request on `node`; returns how many are left. */
export const WITHDRAW = Symbol.for('corio.1.withdraw');
/**
 * Task: a scope closes. Returns whether a node enclosing it was cancelled while it was open and
 * that cancellation is still outstanding (it must not be swallowed by the scope). With `rearm`,
 * such a cancellation already delivered inside the scope is made pending again, so the code
 * after the scope sees it (a TaskGroup that raises its errors instead).
 */
export const SCOPE_CLOSE = Symbol.for('corio.1.scopeClose');
/**
 * Task: like SCOPE_CLOSE, without closing anything: whether `node` or a node enclosing it has an
 * outstanding request made after `entrySeq` (with `rearm`, made pending again if delivered).
 */
export const CANCELLED_SINCE = Symbol.for('corio.1.cancelledSince');
/** Node: whether `error` is a cancellation of this node or of one enclosing it. */
export const IS_CANCELLATION = Symbol.for('corio.1.isCancellation');

/**
 * The wait behind a promise that a corio wait returned (a property of the promise), and the
 * wait's method that cancels it: whoever holds only the promise (waitFor's deadline, a cancelled
 * gather) can still stop the work behind it, as asyncio cancels the task wrapping a coroutine.
 */
export const WORK = Symbol.for('corio.1.work');
/** Wait: cancels the wait for someone who gave up on its promise (see WORK). */
export const CANCEL_WORK = Symbol.for('corio.1.cancelWork');

/** Wait: delivers a cancellation (from its task or a scope) to a wait. */
export const INTERRUPT = Symbol.for('corio.1.interrupt');
/** Wait: the node the wait began in. */
export const WAIT_NODE = Symbol.for('corio.1.waitNode');
/**
 * A wait's links in its task's list of waits, which the task sets (a ring, so that a task
 * awaiting many at once keeps no table of them: Promise.all over 100k tasks inside a task).
 */
export const WAIT_PREV = Symbol.for('corio.1.waitPrev');
/** See {@link WAIT_PREV}. */
export const WAIT_NEXT = Symbol.for('corio.1.waitNext');

// Seams read only by taskTree() (task-tree.ts), never on the way of a wait: optional, so a copy
// of corio that predates them still works beside one that has them (its tasks and waits just
// describe themselves less).

/** Task: the first of its waits (see WAIT_PREV), or undefined. */
export const WAITS = Symbol.for('corio.1.waits');
/** Wait or scope node: a method that describes it in the task tree (`sleep 1.2 s left`). */
export const DESCRIBE = Symbol.for('corio.1.describe');
/**
 * Task or scope node: a method that returns its {@link Lineage}, made on first use (when it
 * first creates a task).
 */
export const LINEAGE = Symbol.for('corio.1.lineage');

/** Task: a getter of the lineage of the node that created it (see Lineage). */
export const PARENT_LINEAGE = Symbol.for('corio.1.parentLineage');

/**
 * Where a task was created, kept without keeping its creator alive: a task holds the lineage of
 * the node it was created in (the creating task, or a scope of it), and that node clears `node`
 * when it finishes (a task) or closes (a scope). A child then belongs to the nearest live node
 * up the chain. A finished parent's result is never kept alive by a child that outlives it.
 */
export interface Lineage {
  node: CancelNode | undefined;
  readonly up: Lineage | undefined;
}

/** Anything with a printed state (a primitive, a scope): what taskTree() shows. */
export interface Printable {
  toString(): string;
}

/** Returned when there is no cancellation to deliver. */
export const NO_CANCEL: unique symbol = Symbol.for('corio.1.noCancel') as never;
/** A cancellation's message, or NO_CANCEL. */
export type CancelMessage = string | undefined | typeof NO_CANCEL;

/** What a node of the cancellation tree offers (a task, or a scope opened in one). */
export interface CancelNode {
  readonly [NODE_TASK]: TaskSide;
  readonly [NODE_PARENT]: CancelNode | undefined;
  readonly [NODE_SIGNAL]: AbortSignal;
  [IS_CANCELLATION](error: unknown): boolean;
  /** Optional: see LINEAGE. */
  [LINEAGE]?(): Lineage | undefined;
  /** Optional, for a scope: see DESCRIBE. */
  [DESCRIBE]?(): string;
}

/** What a scope offers beyond a node. */
export interface ScopeSide extends CancelNode {
  [NODE_ABORT](reason: CancelledError): void;
}

/** What the wait behind a promise offers (see WORK). */
export interface WorkSide {
  [CANCEL_WORK](message: string | undefined): void;
}

/** A promise with the wait behind it. */
export type WorkPromise<T> = Promise<T> & { [WORK]?: WorkSide };

/** Marks `promise` as the outcome of `work` (see WORK); returns it. */
export function withWork<T>(promise: Promise<T>, work: WorkSide): Promise<T> {
  (promise as WorkPromise<T>)[WORK] = work;
  return promise;
}

/** What a wait offers to the task it belongs to. */
export interface WaitSide {
  /** Set for every wait registered with a task. */
  readonly [WAIT_NODE]: CancelNode | undefined;
  [WAIT_PREV]: WaitSide | undefined;
  [WAIT_NEXT]: WaitSide | undefined;
  [INTERRUPT](message: string | undefined): void;
  /** Optional: see DESCRIBE. */
  [DESCRIBE]?(): string;
}

/** What a task offers to the waits and scopes of any copy of corio. */
export interface TaskSide extends CancelNode {
  done(): boolean;
  toString(): string;
  [WAIT_BEGIN](wait: WaitSide): CancelMessage;
  [WAIT_END](wait: WaitSide): void;
  /** `owner`: the caller's reading of ownership.ts, if it made one (else it is made here). */
  [DELIVER](node: CancelNode, owner?: Ownership): CancelMessage;
  [PENDING](node: CancelNode): boolean;
  [REQUEST](node: CancelNode, message: string | undefined): void;
  [WITHDRAW](node: CancelNode): number;
  [SCOPE_CLOSE](node: CancelNode, entrySeq: number, rearm: boolean): boolean;
  [CANCELLED_SINCE](node: CancelNode, entrySeq: number, rearm: boolean): boolean;
  /** Optional: see WAITS. */
  readonly [WAITS]?: WaitSide | undefined;
  /** Optional: see PARENT_LINEAGE. */
  readonly [PARENT_LINEAGE]?: Lineage | undefined;
}
