// Work that `run()` finishes when `main` ends, registered by other corio packages (the
// executor's default pool). A registry under a global, well-known symbol rather than an export,
// so it is shared by every copy of @corio/core in a process and adds nothing to the public API.

type Hook = () => PromiseLike<unknown> | undefined;

const KEY = Symbol.for('corio.run.shutdownHooks');

/** The registry: a Set of hooks, each called once when a `run()` ends. */
function shutdownHooks(): Set<Hook> {
  const holder = globalThis as { [KEY]?: Set<Hook> };
  return (holder[KEY] ??= new Set());
}

/** Calls and forgets every registered hook; reports (never throws) their errors. */
export async function runShutdownHooks(): Promise<void> {
  const hooks = shutdownHooks();
  for (const hook of [...hooks]) {
    hooks.delete(hook);
    try {
      await hook();
    } catch (error) {
      console.error('corio: error while shutting down after run()', error);
    }
  }
}
