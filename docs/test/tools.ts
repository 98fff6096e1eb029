// The programs the docs tests drive that are not npm packages: a Chromium for the browser test,
// a redis-server for the Redis recipe. Each is found on PATH, or where an environment variable
// says. `pnpm test` first runs this file (`tsx docs/test/tools.ts --install`), which installs a
// missing one with Debian's apt-get when it can, and otherwise stops with a message that names
// the tool: a test that needs a tool fails for lack of it, it is never skipped.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A program the tests need. */
export interface Tool {
  /** What it is called in messages. */
  readonly name: string;
  /** The environment variable that gives its path. */
  readonly env: string;
  /** The executable names to look for on PATH, in order. */
  readonly commands: readonly string[];
  /** The Debian package that provides it. */
  readonly debian: string;
}

export const CHROMIUM: Tool = {
  name: 'Chromium',
  env: 'CORIO_CHROMIUM',
  // Debian's chromium; Ubuntu's name; a Google Chrome (GitHub's runners have one).
  commands: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
  debian: 'chromium',
};

export const REDIS_SERVER: Tool = {
  name: 'redis-server',
  env: 'CORIO_REDIS_SERVER',
  commands: ['redis-server'],
  debian: 'redis-server',
};

const TOOLS = [CHROMIUM, REDIS_SERVER];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first of `commands` found on PATH, as a path. */
function onPath(commands: readonly string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const command of commands) {
    for (const dir of dirs) {
      const path = join(dir, command);
      if (executable(path)) return path;
    }
  }
  return undefined;
}

/** The tool's path from its environment variable or PATH, or undefined. */
export function locate(tool: Tool): string | undefined {
  const given = process.env[tool.env];
  return given !== undefined && given !== '' ? given : onPath(tool.commands);
}

/** The tool's path; throws an error that names the tool and how to provide it. */
export function find(tool: Tool): string {
  const path = locate(tool);
  if (path === undefined) throw new Error(missing(tool));
  if (!executable(path)) {
    throw new Error(`${tool.name}: ${tool.env}=${path} is not an executable file`);
  }
  return path;
}

function missing(tool: Tool): string {
  return (
    `${tool.name} not found: the docs tests need it. Install it (Debian: apt-get install ` +
    `${tool.debian}; \`pnpm test\` does so when apt-get is available), or set ${tool.env} ` +
    `to its path (looked for ${tool.commands.join(', ')} on PATH)`
  );
}

/** Installs the missing tools with apt-get (through sudo when not root); throws if it cannot. */
function install(): void {
  const absent = TOOLS.filter((tool) => locate(tool) === undefined);
  if (absent.length === 0) return;
  const packages = absent.map((tool) => tool.debian);
  const root = process.getuid?.() === 0;
  const aptGet = onPath(['apt-get']);
  if (aptGet === undefined) throw new Error(absent.map(missing).join('\n'));
  const run = (args: string[]): void => {
    const [command, rest] = root ? [aptGet, args] : ['sudo', [aptGet, ...args]];
    execFileSync(command, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  console.log(`Installing what the docs tests need: ${packages.join(', ')} (apt-get)`);
  run(['update', '-qq']);
  run(['install', '-y', '-qq', ...packages]);
  const still = absent.filter((tool) => locate(tool) === undefined);
  if (still.length > 0) throw new Error(still.map(missing).join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--install')) install();
    for (const tool of TOOLS) find(tool);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
