// Runs every recipe of docs/recipes/ as a child process (`node --import tsx recipes/<slug>.ts`,
// cwd docs/) and checks its exit and its stdout against the output shown on its page, so a
// broken recipe, or a page that no longer tells the truth, fails the build. Needs `pnpm build`
// (the recipes import @corio/* through docs/node_modules, which point at packages/*/dist).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Outcome } from './recipes-helpers.js';
import {
  docsDir,
  expectedOutput,
  expectedStderr,
  httpGet,
  outputPattern,
  runRecipe,
  slots,
  startRedis,
} from './recipes-helpers.js';

const recipesDir = join(docsDir, 'recipes');
const slugs = readdirSync(recipesDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const page = (slug: string): string => readFileSync(join(recipesDir, `${slug}.md`), 'utf8');

// Two cores: a few children at once keeps the file short without starving the recipes' timers.
const slot = slots(3);

/** How a recipe is run and how it must end, for the few that are not plain programs. */
interface Special {
  run?: (slug: string) => Promise<Outcome>;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

const special: Record<string, Special> = {
  // A service: once it is ready, a client connects and gets an echo, then Ctrl-C (SIGINT)
  // stops it. main lets the CancelledError escape, so run() ends the process by SIGINT
  // (status 130 in a shell), after the cleanup has run.
  'graceful-shutdown': {
    run: (slug) => runRecipe(slug, { onStdout: actAsClientThenInterrupt() }),
    exit: { code: null, signal: 'SIGINT' },
  },
  // A web server with a per-request timeout: a slow request gets 504 while the others, sent
  // while it waits and after it, get 200; then Ctrl-C stops it, as for graceful-shutdown.
  'hello-web-server': {
    run: (slug) => serveThenInterrupt(slug, helloClient),
    exit: { code: null, signal: 'SIGINT' },
  },
  // Against a throwaway redis-server of its own: only the recipes that need one get one, so
  // only their tests fail (naming them) where redis-server is missing.
  'redis-resp': { run: withRedis },
  'shared-rate-limit': { run: withRedis },
  // Its own two worker processes (forked) and a BullMQ queue on that server.
  'cpu-jobs-across-processes': { run: withRedis },
};

/** Runs a recipe with REDIS_HOST/REDIS_PORT/REDIS_URL naming a throwaway redis-server. */
async function withRedis(slug: string): Promise<Outcome> {
  const redis = await startRedis();
  try {
    return await runRecipe(slug, {
      env: {
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(redis.port),
        REDIS_URL: `redis://127.0.0.1:${String(redis.port)}`,
      },
    });
  } finally {
    await redis.stop();
  }
}

// Connects once "ready ... <port>" is printed, sends a line, and sends SIGINT once it is echoed.
function actAsClientThenInterrupt(): (child: ChildProcess, stdout: string) => void {
  let connected = false;
  return (child, stdout) => {
    const port = /^ready: .*:(\d+)/m.exec(stdout)?.[1];
    if (connected || port === undefined) return;
    connected = true;
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.setEncoding('utf8');
    let echoed = '';
    socket.on('connect', () => socket.write('hello\n'));
    socket.on('data', (chunk: string) => {
      echoed += chunk;
      if (echoed === 'hello\n') child.kill('SIGINT');
    });
    socket.on('error', () => socket.destroy());
    socket.on('end', () => socket.destroy());
  };
}

// Runs a service recipe; once it prints "ready ... :<port>", runs `client` against it, then sends
// SIGINT. A failed expectation in `client` fails the test once SIGINT has stopped the recipe.
async function serveThenInterrupt(
  slug: string,
  client: (port: number) => Promise<void>,
): Promise<Outcome> {
  let clientDone: Promise<void> | undefined;
  const outcome = await runRecipe(slug, {
    onStdout: (child, stdout) => {
      const port = /^ready: .*:(\d+)/m.exec(stdout)?.[1];
      if (clientDone !== undefined || port === undefined) return;
      clientDone = client(Number(port)).finally(() => child.kill('SIGINT'));
      clientDone.catch(() => undefined); // awaited below, once the recipe has ended
    },
  });
  expect(
    clientDone,
    `${slug} never printed "ready"\n${outcome.stdout}${outcome.stderr}`,
  ).toBeDefined();
  await clientDone;
  return outcome;
}

// Each request is awaited before the next is sent, so the recipe's log is in a fixed order; only
// /slow is left pending while the fast ones go through. The one timing assumption: two local
// round trips take less than the recipe's 500 ms timeout (checked, not assumed, below).
async function helloClient(port: number): Promise<void> {
  let slowAnswered = false;
  const slow = httpGet(port, '/slow');
  slow.then(
    () => (slowAnswered = true),
    () => (slowAnswered = true),
  );
  expect(await httpGet(port, '/')).toEqual({ status: 200, body: 'Hello, world' });
  expect(await httpGet(port, '/?name=corio')).toEqual({ status: 200, body: 'Hello, corio' });
  expect(slowAnswered, '/slow was answered before the fast requests').toBe(false);
  expect(await slow).toEqual({ status: 504, body: 'Gateway Timeout' });
  // The timeout cancelled that request only: the server goes on serving.
  expect(await httpGet(port, '/')).toEqual({ status: 200, body: 'Hello, world' });
}

describe('recipes', () => {
  it('there are at least 14', () => {
    expect(slugs.length).toBeGreaterThanOrEqual(14);
  });

  it('every recipe has a page with a title, an H1, its code included from the file and its output', () => {
    for (const slug of slugs) {
      expect(existsSync(join(recipesDir, `${slug}.md`)), `${slug}.md`).toBe(true);
      const text = page(slug);
      expect(text, slug).toMatch(/^---\ntitle: .+\n[\s\S]*?---\n/);
      expect(text, slug).toMatch(/^# .+$/m);
      expect(text, slug).toMatch(new RegExp(`^<<< (\\./|@/recipes/)${slug}\\.ts(\\{.*\\})?$`, 'm'));
      expect(expectedOutput(text), `${slug}.md has no "## Output" text block`).toBeDefined();
    }
  });

  it('every page is a recipe, and no code is copied into a page', () => {
    const pages = readdirSync(recipesDir).filter((f) => f.endsWith('.md') && f !== 'index.md');
    expect(pages.map((f) => f.slice(0, -'.md'.length)).sort()).toEqual(slugs);
    for (const slug of slugs) expect(page(slug), slug).not.toMatch(/^```(ts|typescript)$/m);
  });

  it('<…> in an expected output stands for the rest of a line at most, <port> for a number', () => {
    const pattern = outputPattern('took <…> seconds\nport <port>\n');
    expect('took 0.153 seconds\nport 8080\n').toMatch(pattern);
    expect('took 0.1\nand more seconds\nport 8080\n').not.toMatch(pattern);
    expect('took 1 seconds\nport http\n').not.toMatch(pattern);
    expect(expectedStderr('## Standard error\n\n```text\ncorio: <…>\n```\n')).toBe('corio: <…>\n');
    expect(expectedStderr('## Output\n\n```text\nhello\n```\n')).toBeUndefined();
  });

  it('index.md links every recipe', () => {
    const index = readFileSync(join(recipesDir, 'index.md'), 'utf8');
    for (const slug of slugs)
      expect(index, slug).toMatch(new RegExp(`\\]\\(\\./${slug}(\\.md)?\\)`));
  });
});

describe.concurrent('recipe', () => {
  for (const slug of slugs) {
    it(`${slug} runs and prints the output its page shows`, async () => {
      const config = special[slug] ?? {};
      const outcome = await slot(() => (config.run ?? runRecipe)(slug));
      const context = `${slug}\n--- stdout ---\n${outcome.stdout}\n--- stderr ---\n${outcome.stderr}`;
      expect({ code: outcome.code, signal: outcome.signal }, context).toEqual(
        config.exit ?? { code: 0, signal: null },
      );
      expect(outcome.stderr, context).toMatch(outputPattern(expectedStderr(page(slug)) ?? ''));
      const expected = expectedOutput(page(slug)) ?? '';
      expect(outcome.stdout, context).toMatch(outputPattern(expected));
    }, 120_000); // includes the wait for a slot
  }
});
