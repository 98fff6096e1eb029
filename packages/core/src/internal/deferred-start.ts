import { AsyncResource } from 'node:async_hooks';

/** What owns a task whose start waits (a limiter): told when the task is cancelled meanwhile. */
export interface DeferredOwner {
  dropped(task: object): void;
  /** Its printed state, shown by taskTree() for the tasks it holds back. */
  toString(): string;
}

/**
 * A task's function while its start waits for its owner, and the async context it was created
 * in, which its start is scheduled in (see task-registry.ts, launchDeferred). An AsyncResource
 * keeps that context in itself: no promise, reaction or closure per queued call, which a
 * limiter holds by the hundred thousand (a pending promise and its reaction, the other way to
 * keep a context for later, cost 264 B against 56, Node 24).
 */
export class Deferred extends AsyncResource {
  constructor(
    readonly fn: () => unknown,
    readonly owner: DeferredOwner,
  ) {
    super('corio.DeferredTask');
  }
}
