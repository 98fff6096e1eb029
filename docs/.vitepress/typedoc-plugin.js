// @ts-check
// A local TypeDoc plugin for the API pages:
// - names each package's module after the package (`@corio/core`, not `core/src`, which is what
//   TypeDoc derives from the entry point's path; `@corio/core/testing` for a subpath entry point,
//   not `core/src/testing`) and gives it a one-line summary;
// - leaves out members that corio only inherits from Node's or TypeScript's own types (`stack`
//   and `cause` of every error class, the forty `tls.connect` options under `StartTlsOptions`):
//   the page says what the type extends, and Node's documentation describes those;
// - for an overloaded function or method whose every overload has its own comment, drops the
//   comment of the implementation signature (a note for maintainers, such as "The
//   implementation behind the overloads above"), which TypeDoc would show above all overloads
//   and in the package's index.
import { Comment, Converter, ReflectionKind } from 'typedoc';

/** One line per package, shown on the API index and the package's page. */
const SUMMARIES = {
  core: "Python asyncio's semantics for native Promises: tasks, cancellation, timeouts, task groups, run(), locks, queues and a limiter.",
  streams:
    "asyncio's streams over node:net: StreamReader, StreamWriter, openConnection and startServer.",
  executor:
    'Worker threads as an executor: WorkerPoolExecutor, runInExecutor and toThread, with cancellation.',
  'core/testing':
    'For tests: a virtual clock that runs every corio timer (withVirtualClock), with autojump and deadlock reports.',
};

const MEMBER = ReflectionKind.Property | ReflectionKind.Method | ReflectionKind.Accessor;

/** @param {string} fileName */
function isExternal(fileName) {
  return /[\\/]node_modules[\\/]/.test(fileName);
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  /** @type {import('typedoc').DeclarationReflection[]} */
  const external = [];

  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (reflection.kindOf(ReflectionKind.Module)) {
      const match = /^(\w+)\/src(?:\/(\w+))?$/.exec(reflection.name);
      if (match === null) return;
      const pkg = /** @type {keyof typeof SUMMARIES} */ (
        match[2] === undefined ? match[1] : `${match[1]}/${match[2]}`
      );
      reflection.name = `@corio/${pkg}`;
      const summary = SUMMARIES[pkg];
      if (summary !== undefined && reflection.comment === undefined) {
        reflection.comment = new Comment([{ kind: 'text', text: summary }]);
      }
      return;
    }
    if (!reflection.kindOf(MEMBER)) return;
    const declarations = context.getSymbolFromReflection(reflection)?.declarations ?? [];
    if (
      declarations.length > 0 &&
      declarations.every((d) => isExternal(d.getSourceFile().fileName))
    ) {
      external.push(reflection);
    }
  });

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of external.splice(0)) context.project.removeReflection(reflection);
    const callables = context.project.getReflectionsByKind(
      ReflectionKind.Function | ReflectionKind.Method,
    );
    for (const reflection of callables) {
      if (!('signatures' in reflection)) continue;
      const signatures = reflection.signatures ?? [];
      if (signatures.length > 1 && signatures.every((s) => s.comment !== undefined)) {
        delete reflection.comment;
      }
    }
  });
}
