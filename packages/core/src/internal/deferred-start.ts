/** What owns a task whose start waits (a limiter): told when the task is cancelled meanwhile. */
export interface DeferredOwner {
  dropped(task: object): void;
  /** Its printed state, shown by taskTree() for the tasks it holds back. */
  toString(): string;
}

/** A task's function while its start waits for its owner, and the gate that starts it. */
export class Deferred {
  constructor(
    readonly fn: () => unknown,
    readonly owner: DeferredOwner,
    readonly open: (task: never) => void,
  ) {}
}
