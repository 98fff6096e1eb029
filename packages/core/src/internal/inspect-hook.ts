// The one side effect of loading @corio/core (declared in package.json's `sideEffects`): a hook
// on globalThis through which `npx corio ps|pstree <pid>` reads the task tree of a process that
// imported nothing for it, with the inspector's Runtime.evaluate. Every copy of corio in the
// process adds its list of pending tasks to the same hook (keyed with Symbol.for), so that the
// tree, read through any copy, holds the tasks of all of them.

import { formatTaskTree } from '../format-task-tree.js';
import { INSPECT } from './inspect-key.js';
import type { InspectHook } from './inspect-key.js';
import { pending } from './task-registry.js';
import { taskTree } from '../task-tree.js';

const global = globalThis as typeof globalThis & { [INSPECT]?: InspectHook };
(global[INSPECT] ??= {
  version: 1,
  sources: [],
  taskTree: () => taskTree(),
  formatTaskTree: () => formatTaskTree(),
}).sources.push(pending);
