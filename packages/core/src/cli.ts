#!/usr/bin/env node
// corio: the task tree of a running Node.js process, from outside it (asyncio's
// `python -m asyncio ps PID` and `pstree PID`). Opens the process's inspector on 127.0.0.1 (as
// SIGUSR1 does), reads the tree through the hook every copy of @corio/core publishes when it
// loads (see internal/inspect-hook.ts), and closes the inspector again if it opened it.
import { parseArgs } from 'node:util';
import {
  DEFAULT_PORT,
  InspectError,
  findInspector,
  handlesSigusr1,
  listeningPorts,
  pause,
  portInUse,
} from './internal/inspector-client.js';
import type { Session } from './internal/inspector-client.js';
import { formatTaskTable } from './internal/task-table.js';
import type { PlainTaskNode } from './internal/task-table.js';

const USAGE = `usage: corio ps <pid> [--port <n>] [--timeout <ms>]
       corio pstree <pid> [--port <n>] [--timeout <ms>]

  ps      every pending task of the process: id, name, state, parent, what it waits on
  pstree  the same as a tree by creator, with the scopes each task is in

  --port     the port the process's inspector opens on (its --inspect-port; default 9229)
  --timeout  how long to wait for the inspector, in ms (default 5000)`;

// Evaluated in the target: its tree as JSON (without the Task objects), or null without corio.
const TREE = `(() => {
  const hook = globalThis[Symbol.for('corio.inspect')];
  if (hook === undefined) return null;
  return JSON.stringify(hook.taskTree(), (key, value) => (key === 'task' ? undefined : value));
})()`;
const FORMATTED = `(() => {
  const hook = globalThis[Symbol.for('corio.inspect')];
  return hook === undefined ? null : hook.formatTaskTree();
})()`;

interface Options {
  command: 'ps' | 'pstree';
  pid: number;
  port: number | undefined;
  timeout: number;
}

function usage(message: string): never {
  console.error(`corio: ${message}\n${USAGE}`);
  process.exit(2);
}

function parse(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const [command, pidText, ...rest] = positionals;
  if (command !== 'ps' && command !== 'pstree') {
    usage(command === undefined ? 'a command is required' : `unknown command '${command}'`);
  }
  if (rest.length > 0) usage(`unexpected argument '${rest.join(' ')}'`);
  if (pidText === undefined) usage(`${command}: a pid is required`);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid < 1) {
    usage(`${command}: the pid must be a positive integer, received '${pidText}'`);
  }
  return {
    command,
    pid,
    port: values.port === undefined ? undefined : positive('--port', values.port),
    timeout: values.timeout === undefined ? 5000 : positive('--timeout', values.timeout),
  };
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    usage(`${name} must be a positive integer, received '${text}'`);
  }
  return value;
}

/** Checks that process `pid` exists and may be signalled. */
function checkProcess(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new InspectError(`no process with pid ${String(pid)}`);
    if (code === 'EPERM') {
      throw new InspectError(`not permitted to inspect process ${String(pid)} (run as its user)`);
    }
    throw error;
  }
}

/** A session with the inspector of `pid`, opening it if needed; `opened` says if we did. */
async function attach(
  options: Options,
): Promise<{ session: Session; opened: boolean; port: number }> {
  const { pid, timeout } = options;
  const candidates = async (): Promise<number[]> => {
    if (options.port !== undefined) return [options.port];
    // Where the process's listening sockets cannot be read, try the default port.
    return (await listeningPorts(pid)) ?? [DEFAULT_PORT];
  };
  const step = Math.min(1000, timeout);
  const open = await findInspector(pid, await candidates(), step);
  if (open !== undefined) return { ...open, opened: false };

  if ((await handlesSigusr1(pid)) === false) {
    throw new InspectError(
      `process ${String(pid)} is not a Node.js process that can open its inspector: it does not handle SIGUSR1 (corio sends it to open the inspector, and it would end the process)`,
    );
  }
  try {
    (process as unknown as { _debugProcess(pid: number): void })._debugProcess(pid);
  } catch (error) {
    throw new InspectError(
      `cannot open the inspector of process ${String(pid)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const deadline = performance.now() + timeout;
  while (performance.now() < deadline) {
    const found = await findInspector(pid, await candidates(), step);
    if (found !== undefined) return { ...found, opened: true };
    await pause(100);
  }
  const port = options.port ?? DEFAULT_PORT;
  if (await portInUse(port)) {
    throw new InspectError(
      `cannot open the inspector of process ${String(pid)}: port ${String(port)} is in use by another process (start it with --inspect-port=<a free port>, then pass --port)`,
    );
  }
  throw new InspectError(
    `the inspector of process ${String(pid)} did not open within ${String(timeout)} ms (is it a Node.js process, started without --disable-sigusr1?)`,
  );
}

/**
 * Disconnects; closes the inspector if we opened it, and waits until its port refuses. Returns
 * false if it is still open after `ms`.
 */
async function detach(
  session: Session,
  opened: boolean,
  port: number,
  ms: number,
): Promise<boolean> {
  if (opened) {
    try {
      await session.closeInspector(ms);
    } catch {
      // Disconnecting is all that is left to do; the check below tells if it closed.
    }
  }
  await session.close();
  if (!opened) return true;
  const deadline = performance.now() + ms;
  while (await portInUse(port)) {
    if (performance.now() > deadline) return false;
    await pause(50);
  }
  return true;
}

/** What to print: the tree, or the table; and whether the inspector we opened was closed. */
async function main(options: Options): Promise<string> {
  const { pid } = options;
  if (process.platform === 'win32') {
    throw new InspectError(
      `cannot inspect process ${String(pid)}: corio ps and pstree are not supported on Windows`,
    );
  }
  checkProcess(pid);
  const { session, opened, port } = await attach(options);
  let value: unknown;
  try {
    value = await session.evaluate(options.command === 'ps' ? TREE : FORMATTED, options.timeout);
  } catch (error) {
    value = new InspectError(
      `cannot read the task tree of process ${String(pid)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!(await detach(session, opened, port, options.timeout))) {
    console.error(
      `corio: the inspector of process ${String(pid)} is still open on 127.0.0.1:${String(port)} (it did not close within ${String(options.timeout)} ms)`,
    );
    process.exitCode = 1;
  }
  if (value instanceof InspectError) throw value;
  if (typeof value !== 'string') {
    throw new InspectError(
      `process ${String(pid)} has not loaded @corio/core (no task tree to show)`,
    );
  }
  if (options.command === 'pstree') {
    return value === '' ? `process ${String(pid)}: no pending tasks` : value;
  }
  return formatTaskTable(JSON.parse(value) as PlainTaskNode[]);
}

const options = parse(process.argv.slice(2));
try {
  console.log(await main(options));
} catch (error) {
  if (!(error instanceof InspectError)) throw error;
  console.error(`corio: ${error.message}`);
  process.exitCode = 1;
}
