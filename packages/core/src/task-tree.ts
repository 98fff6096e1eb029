import { INSPECT } from './internal/inspect-key.js';
import type { InspectHook } from './internal/inspect-key.js';
import {
  DESCRIBE,
  NODE_PARENT,
  NODE_TASK,
  PARENT_LINEAGE,
  WAIT_NEXT,
  WAIT_NODE,
  WAITS,
} from './internal/protocol.js';
import type { CancelNode, TaskSide } from './internal/protocol.js';
import { START_OWNER } from './internal/symbols.js';
import { pending } from './internal/task-registry.js';
import type { Task } from './task.js';

/** What a task or an open scope holds in the task tree. */
export interface TaskTreeContents {
  /**
   * The corio waits suspended here, by their printed state, in the order they began:
   * `sleep 1.2 s left`, `await <Task name=fetch pending>`, `acquire <Lock [locked, waiters:2]>`,
   * `get <Queue maxsize=10 qsize=0 getters=1 putters=0>`. Empty while the code runs, or awaits
   * something that is not a corio wait (a plain promise).
   */
  readonly waitingOn: readonly string[];
  /** The scopes open here that hold a wait or a task: `timeout()` and `taskGroup()` bodies. */
  readonly scopes: readonly TaskTreeScope[];
  /** The pending tasks created here, in creation order. */
  readonly children: readonly TaskTreeNode[];
}

/** A pending task in the task tree (see {@link taskTree}). */
export interface TaskTreeNode extends TaskTreeContents {
  readonly task: Task<unknown>;
  /** `task.name`. */
  readonly name: string;
  /**
   * `pending`; `cancelling` once a cancellation was requested; `queued` while its start waits
   * for a `limiter` slot.
   */
  readonly state: 'pending' | 'cancelling' | 'queued';
  /** The task's printed state: `<Task name=fetch pending>`, with its creation site in debug mode. */
  readonly description: string;
  /** Where the task was created, in debug mode (`file:line:column`). */
  readonly createdAt: string | undefined;
}

/** A scope open in a task (a `timeout()` or `taskGroup()` body) in the task tree. */
export interface TaskTreeScope extends TaskTreeContents {
  /**
   * The scope's printed state: `timeout 1.2 s left <TimeoutScope active when=1234.5>`,
   * `taskGroup <TaskGroup tasks=2 errors=0 running>`.
   */
  readonly scope: string;
}

interface Contents {
  waitingOn: string[];
  scopes: TaskTreeScope[];
  children: TaskTreeNode[];
}

/**
 * Every pending task, as a tree by creator (asyncio 3.14's `capture_call_graph`, for all tasks
 * at once): who created each task, what each one waits on, and the scopes it is in.
 *
 * A task is a child of the task that was running when it was created, under the scope that
 * code ran in (a `taskGroup()` child under its group, whoever called `tg.createTask`). A task
 * whose creator has finished is a root, as is one created outside any task. Finished tasks are
 * absent. Waits show by their printed state, computed now: nothing is recorded while the program
 * runs, except, in debug mode, each task's creation site. The tree holds the tasks of every copy
 * of `@corio/core` loaded in the process. To read it from outside the process, run
 * `npx corio pstree <pid>` (or `npx corio ps <pid>` for a flat table).
 *
 * @returns the root tasks, in creation order.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Lock, createTask, sleep, taskTree } from '@corio/core';
 *
 * const lock = new Lock();
 * await lock.acquire();
 * const parent = createTask(async () => {
 *   const child = createTask(() => lock.acquire(), { name: 'child' });
 *   await child;
 * }, { name: 'parent' });
 * await sleep(0);
 *
 * const [root] = taskTree().filter((node) => node.task === parent);
 * assert.deepEqual(root?.waitingOn, ['await <Task name=child pending>']);
 * const child = root?.children[0];
 * assert.equal(child?.name, 'child');
 * assert.deepEqual(child?.waitingOn, [
 *   'acquire <Lock [locked, waiters:1]>',
 * ]);
 * lock.release();
 * await parent;
 * ```
 */
export function taskTree(): TaskTreeNode[] {
  const tasks = pendingTasks();
  const nodes = new Map<unknown, TaskTreeNode & Contents>();
  for (const task of tasks) nodes.set(task, nodeOf(task));
  const scopes = new Map<CancelNode, TaskTreeScope & Contents>();

  // The place of `node` (a task, or a scope open in one) in the tree, if its task is pending.
  const contentsOf = (node: CancelNode): Contents | undefined => {
    if (node[NODE_TASK] === (node as unknown)) return nodes.get(node);
    let scope = scopes.get(node);
    if (scope === undefined) {
      const parent = node[NODE_PARENT];
      const outer = parent === undefined ? undefined : contentsOf(parent);
      if (outer === undefined) return undefined;
      scope = { scope: node[DESCRIBE]?.() ?? 'scope', waitingOn: [], scopes: [], children: [] };
      scopes.set(node, scope);
      outer.scopes.push(scope);
    }
    return scope;
  };

  for (const task of tasks) {
    const own = nodes.get(task) as Contents;
    const head = (task as unknown as TaskSide)[WAITS];
    if (head === undefined) continue;
    let wait = head;
    do {
      const node = wait[WAIT_NODE];
      const where = (node === undefined ? undefined : contentsOf(node)) ?? own;
      where.waitingOn.push(wait[DESCRIBE]?.() ?? 'a corio wait');
      wait = wait[WAIT_NEXT] ?? head;
    } while (wait !== head);
  }

  const roots: TaskTreeNode[] = [];
  for (const task of tasks) {
    let lineage = (task as unknown as TaskSide)[PARENT_LINEAGE];
    while (lineage !== undefined && lineage.node === undefined) lineage = lineage.up;
    const creator = lineage?.node;
    const where = creator === undefined ? undefined : contentsOf(creator);
    (where?.children ?? roots).push(nodes.get(task) as TaskTreeNode);
  }
  return roots;
}

/** The pending tasks of every copy of corio in the process (see inspect-hook.ts). */
function pendingTasks(): Task<unknown>[] {
  const hook = (globalThis as { [INSPECT]?: InspectHook })[INSPECT];
  const sources = hook?.sources ?? [];
  const all = sources.includes(pending) ? sources : [pending, ...sources];
  // Another copy's tasks have the same public API; the cast only names them.
  return all.flatMap((source) => [...source()] as Task<unknown>[]);
}

function nodeOf(task: Task<unknown>): TaskTreeNode & Contents {
  // Undefined for another copy's task.
  const owner = (task as Partial<Task<unknown>>)[START_OWNER];
  const state = owner !== undefined ? 'queued' : task.cancelling() > 0 ? 'cancelling' : 'pending';
  const description =
    owner === undefined ? task.toString() : `${task.toString()} queued in ${owner.toString()}`;
  return {
    task,
    name: task.name,
    state,
    description,
    createdAt: task.createdAt,
    waitingOn: [],
    scopes: [],
    children: [],
  };
}
