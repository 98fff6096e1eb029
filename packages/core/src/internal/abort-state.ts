import { CancelledError } from '../errors.js';

/**
 * The cancellation as `task.signal` sees it. A signal, once aborted, stays aborted; when every
 * request is withdrawn (`uncancel()` back to 0, as a timeout scope does after handling its own
 * expiry) the task gets a fresh signal for what it does next.
 */
export class AbortState {
  requested = false;
  message: string | undefined = undefined;
  controller: AbortController | undefined = undefined;
  #reason: CancelledError | undefined = undefined;
  // Reasons of signals already renewed: an AbortError caused by one may still be on its way out.
  #past: CancelledError[] | undefined = undefined;

  reason(): CancelledError {
    return (this.#reason ??= new CancelledError(this.message));
  }

  renew(): void {
    if (this.#reason !== undefined) (this.#past ??= []).push(this.#reason);
    this.#reason = undefined;
    this.requested = false;
    this.message = undefined;
    this.controller = undefined;
  }

  /** Whether `error`'s cause chain holds a signal's reason (an AbortError from the signal). */
  hasReason(error: unknown): boolean {
    if (this.#reason !== undefined && hasCause(error, this.#reason)) return true;
    return this.#past?.some((reason) => hasCause(error, reason)) === true;
  }
}

/**
 * Whether `cause` is in `error`'s cause chain: an AbortError from a signal-taking API
 * (`timers/promises`, `events.once`) carries the signal's reason, a CancelledError, as its cause.
 */
export function hasCause(error: unknown, cause: CancelledError): boolean {
  let current = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    current = (current as { cause?: unknown }).cause;
    if (current === cause) return true;
  }
  return false;
}
