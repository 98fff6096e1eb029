// The pieces of the site that run at build time, without building it: sidebars from the pages
// that exist, the benchmark loader, the static server's URL mapping, and the links between the
// Markdown pages.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { access, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseResults, sortFiles } from '../.vitepress/benchmarks.data.js';
import {
  GUIDE_PAGES,
  apiSidebar,
  firstGuideLink,
  firstRecipesLink,
  guideSidebar,
  pageTitle,
  recipePages,
  recipesSidebar,
} from '../.vitepress/sidebar.js';
import { resolveFile } from '../.vitepress/site-server.js';
import { headingAnchors, markdownLinks, slugify } from './markdown-links.js';

let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corio-site-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(path: string, text: string): Promise<void> {
  await mkdir(join(dir, path, '..'), { recursive: true });
  await writeFile(join(dir, path), text);
}

describe('pageTitle', () => {
  it('reads the frontmatter title, quoted or not', () => {
    expect(pageTitle('---\ntitle: Fan-out and fan-in\n---\n\n# Other\n')).toBe(
      'Fan-out and fan-in',
    );
    expect(pageTitle("---\nlayout: doc\ntitle: 'It''s: quoted'\n---\n")).toBe("It's: quoted");
    expect(pageTitle('---\ntitle: "Double"\n---\n')).toBe('Double');
  });

  it('falls back to the first H1 outside code blocks, as plain text', () => {
    expect(
      pageTitle('---\norder: 1\n---\n```md\n# not this\n```\n# The `waitFor` [recipe](x)\n'),
    ).toBe('The waitFor recipe');
    expect(pageTitle('Intro\n\n## Only an H2\n')).toBeUndefined();
  });
});

describe('sidebars', () => {
  it('lists the guide pages that exist, in the plan order', async () => {
    await write('guide/timeouts.md', '# Timeouts and deadlines\n');
    await write('guide/getting-started.md', '---\ntitle: Getting started\n---\n');
    await write('guide/notes.md', '# Not in the plan\n');
    expect(guideSidebar(dir)).toEqual([
      {
        text: 'Guide',
        items: [
          { text: 'Getting started', link: '/guide/getting-started' },
          { text: 'Timeouts and deadlines', link: '/guide/timeouts' },
        ],
      },
    ]);
    expect(firstGuideLink(dir)).toBe('/guide/getting-started');
  });

  it('lists the recipes by order, then title, after their index', async () => {
    await write('recipes/index.md', '# Recipes\n');
    await write('recipes/b.md', '# Beta\n');
    await write('recipes/a.md', '---\ntitle: Zeta\n---\n');
    await write('recipes/c.md', '---\ntitle: Last but first\norder: 1\n---\n');
    await write('recipes/c.ts', 'export {};\n');
    expect(recipePages(dir).map((p) => p.slug)).toEqual(['c', 'b', 'a']);
    expect(recipesSidebar(dir)).toEqual([
      {
        text: 'Recipes',
        items: [
          { text: 'All recipes', link: '/recipes/' },
          { text: 'Last but first', link: '/recipes/c' },
          { text: 'Beta', link: '/recipes/b' },
          { text: 'Zeta', link: '/recipes/a' },
        ],
      },
    ]);
    expect(firstRecipesLink(dir)).toBe('/recipes/');
  });

  it('is empty where nothing has been written or generated yet', () => {
    expect(guideSidebar(dir)).toEqual([]);
    expect(recipesSidebar(dir)).toEqual([]);
    expect(apiSidebar(dir)).toEqual([]);
    expect(firstGuideLink(dir)).toBeUndefined();
    expect(firstRecipesLink(dir)).toBeUndefined();
  });

  it('opens each package of the generated API sidebar, core first', async () => {
    const item = (text: string): object => ({ text, link: `/api/${text}/`, collapsed: true });
    await write(
      'api/typedoc-sidebar.json',
      JSON.stringify([item('@corio/executor'), item('@corio/core'), item('@corio/streams')]),
    );
    const sidebar = apiSidebar(dir);
    expect(sidebar.map((i) => i.text)).toEqual([
      'API reference',
      '@corio/core',
      '@corio/streams',
      '@corio/executor',
    ]);
    expect(sidebar.slice(1).every((i) => i.collapsed === false)).toBe(true);
  });
});

describe('the benchmarks loader', () => {
  const result = (id: string, caseId: string, extra: object = {}): object => ({
    id,
    caseId,
    label: `${id}      label`,
    unit: 'ms',
    median: 2,
    min: 1,
    max: 3,
    runs: [1, 2, 3],
    ...extra,
  });

  it('groups results by case, in file order, and names each baseline', () => {
    const file = parseResults(
      '/x/bench/results/streams-24.json',
      JSON.stringify({
        machine: { node: 'v24.1.0', cores: 2 },
        corio: { commit: 'abc1234', srcDigest: 'f00' },
        seconds: 12,
        results: [
          result('read.raw', 'read'),
          result('write.raw', 'write'),
          result('read.corio', 'read', { vs: 'read.raw', ratio: 1.5 }),
        ],
      }),
    );
    expect(file.file).toBe('streams-24.json');
    expect(file.suite).toBe('streams');
    expect(file.commit).toBe('abc1234');
    expect(file.cases.map((c) => [c.caseId, c.rows.map((r) => r.id)])).toEqual([
      ['read', ['read.raw', 'read.corio']],
      ['write', ['write.raw']],
    ]);
    const corio = file.cases[0]?.rows[1];
    expect(corio?.text).toBe('read.corio · label');
    expect(corio?.vsText).toBe('read.raw · label');
    expect(corio?.ratio).toBe(1.5);
  });

  it('titles the core cases and names `<major>.json` the core suite', () => {
    const file = parseResults('20.json', JSON.stringify({ results: [result('task.raw', 'task')] }));
    expect(file.suite).toBe('core');
    expect(file.cases[0]?.title).toBe('createTask(fn) + await vs await fn()');
  });

  it('rejects a file without results', () => {
    expect(() => parseResults('bad.json', '{}')).toThrow(
      "Cannot read bad.json: 'results' must be an array",
    );
  });

  it('orders files core, streams, executor, then by Node version', () => {
    const names = ['executor-20.json', '24.json', 'streams-24.json', '20.json', 'streams-20.json'];
    const files = names.map((name) => parseResults(name, JSON.stringify({ results: [] })));
    expect(sortFiles(files).map((f) => f.file)).toEqual([
      '20.json',
      '24.json',
      'streams-20.json',
      'streams-24.json',
      'executor-20.json',
    ]);
  });
});

describe('resolveFile', () => {
  it('maps clean URLs to the built HTML files and stays inside the root', async () => {
    await write('index.html', '');
    await write('benchmarks.html', '');
    await write('api/index.html', '');
    await write('assets/app.js', '');
    expect(await resolveFile(dir, '/')).toBe(join(dir, 'index.html'));
    expect(await resolveFile(dir, '/benchmarks')).toBe(join(dir, 'benchmarks.html'));
    expect(await resolveFile(dir, '/api/')).toBe(join(dir, 'api', 'index.html'));
    expect(await resolveFile(dir, '/api')).toBe(join(dir, 'api', 'index.html'));
    expect(await resolveFile(dir, '/assets/app.js')).toBe(join(dir, 'assets', 'app.js'));
    expect(await resolveFile(dir, '/missing')).toBeUndefined();
    expect(await resolveFile(dir, '/../etc/passwd')).toBeUndefined();
    expect(await resolveFile(dir, '/%E0%A4%A')).toBeUndefined();
  });
});

describe('the home page', () => {
  it("shows the README's example, which the doc-examples test runs", async () => {
    const block = (text: string): string | undefined => /^```ts\n[\s\S]*?^```$/m.exec(text)?.[0];
    const root = new URL('../../', import.meta.url);
    const home = block(await readFile(new URL('docs/index.md', root), 'utf8'));
    expect(home).toBeDefined();
    expect(home).toBe(block(await readFile(new URL('README.md', root), 'utf8')));
  });
});

describe('the installation page', () => {
  it('names the tarballs that `pnpm pack` makes of the current version', async () => {
    const pkg = new URL('../../packages/core/package.json', import.meta.url);
    const { version } = JSON.parse(await readFile(pkg, 'utf8')) as { version: string };
    const page = await readFile(new URL('../guide/installation.md', import.meta.url), 'utf8');
    const versions = [...page.matchAll(/corio-(?:core|streams|executor)-(.+?)\.tgz/g)].map(
      (m) => m[1],
    );
    expect(versions.length).toBeGreaterThan(0);
    for (const named of versions) expect(named).toBe(version);
  });
});

/**
 * Guide pages that the README (outside docs/, edited on another branch) does not link yet: drop a
 * page from here once the README links it.
 */
const NOT_IN_README_YET = new Set(['installation']);

describe('the README', () => {
  it('links every guide page, the recipes and the benchmarks, and each link exists', async () => {
    const root = new URL('../../', import.meta.url);
    const readme = await readFile(new URL('README.md', root), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] ?? '')
      .filter((link) => !/^[a-z]+:/.test(link));
    for (const [slug] of GUIDE_PAGES) {
      if (!NOT_IN_README_YET.has(slug)) expect(links).toContain(`docs/guide/${slug}.md`);
    }
    expect(links).toContain('docs/recipes/index.md');
    expect(links).toContain('docs/benchmarks.md');
    for (const link of links) await expect(access(new URL(link, root))).resolves.toBeUndefined();
  });
});

const DOCS = fileURLToPath(new URL('..', import.meta.url));

/** The `.md` files under docs/, without node_modules, .vitepress and the generated api/. */
function markdownPages(dir = DOCS): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const skip =
        ['node_modules', '.vitepress'].includes(entry.name) || path === join(DOCS, 'api');
      return skip ? [] : markdownPages(path);
    }
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/**
 * Whether a link into the generated API reference (docs/api/, which exists only after TypeDoc)
 * names a page TypeDoc writes: `api/index.md`, `api/<package>/index.md` for a package with a
 * `src/index.ts`, or `api/<package>/<kind>/<Name>.md` for a name that index exports.
 */
function apiPageExists(path: string): boolean {
  const parts = relative(join(DOCS, 'api'), path).split(sep);
  if (parts.length === 1) return parts[0] === 'index.md';
  const index = join(DOCS, '..', 'packages', parts[0] ?? '', 'src', 'index.ts');
  if (!existsSync(index)) return false;
  if (parts.length === 2) return parts[1] === 'index.md';
  const name = parts.length === 3 ? (parts[2] ?? '').replace(/\.md$/, '') : '';
  return name !== '' && new RegExp(`\\b${name}\\b`).test(readFileSync(index, 'utf8'));
}

describe('links in the Markdown pages', () => {
  it('reads inline links and definitions, not code', () => {
    const page = [
      'See [a](./a.md#x) and [b `c`](../b.md "title") and `[not](code.md)`.',
      '[label]: ./c.md',
      '```md',
      '[inside](fence.md)',
      '```',
      '[split',
      'text](./d.md)',
    ].join('\n');
    expect(markdownLinks(page).map((l) => [l.target, l.line])).toEqual([
      ['./a.md#x', 1],
      ['../b.md', 1],
      ['./c.md', 2],
      ['./d.md', 7],
    ]);
  });

  it('anchors headings as VitePress does', () => {
    expect(slugify('Compared with AbortSignal.timeout and p-timeout')).toBe(
      'compared-with-abortsignal-timeout-and-p-timeout',
    );
    const page = [
      '---',
      'title: T',
      '---',
      '# `uncancel()` and `cancelling()`',
      '## [Barrier](./x.md)',
      '## Barrier',
      '## Mine {#custom-id}',
      '```md',
      '# not a heading',
      '```',
    ].join('\n');
    expect([...headingAnchors(page)]).toEqual([
      'uncancel-and-cancelling',
      'barrier',
      'barrier-1',
      'custom-id',
    ]);
  });

  it('are relative, with .md, and reach a file and heading that exist (so GitHub shows them too)', () => {
    const pages = markdownPages();
    expect(pages.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      for (const { target, line } of markdownLinks(text)) {
        const where = `${relative(DOCS, page)}:${String(line)} ${target}`;
        if (/^[a-z][a-z\d+.-]*:/i.test(target)) continue; // https:, mailto:
        if (target.startsWith('/')) {
          problems.push(`${where}: site-absolute; link the .md file relative to this page`);
          continue;
        }
        const [pathPart = '', anchor] = target.split('#', 2);
        const path = pathPart === '' ? page : resolve(dirname(page), decodeURIComponent(pathPart));
        if (path.startsWith(join(DOCS, 'api') + sep)) {
          if (!apiPageExists(path)) problems.push(`${where}: no such API page`);
          continue;
        }
        if (!existsSync(path)) {
          problems.push(`${where}: no such file`);
        } else if (statSync(path).isDirectory()) {
          problems.push(`${where}: a folder; link its index.md`);
        } else if (anchor !== undefined && path.endsWith('.md')) {
          const anchors = headingAnchors(path === page ? text : readFileSync(path, 'utf8'));
          if (!anchors.has(decodeURIComponent(anchor))) problems.push(`${where}: no such heading`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
