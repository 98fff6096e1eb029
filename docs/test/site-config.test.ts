// The pieces of the site that run at build time, without building it: sidebars from the pages
// that exist, the benchmark loader, and the test's static server's URL mapping.
import { access, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
