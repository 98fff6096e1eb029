// The pieces of the site that run at build time, without building it: sidebars from the pages
// that exist, the benchmark loader and its charts, the static server's URL mapping, and the links
// between the Markdown pages.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { access, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logTicks, shortNumber } from '../.vitepress/bench-plot.js';
import {
  KIND_COLORS,
  chartRows,
  charts,
  headlines,
  kindOf,
  pairHeadlines,
  parseResults,
  sortFiles,
} from '../.vitepress/benchmarks.data.js';
import type { BenchFile } from '../.vitepress/benchmarks.data.js';
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
    expect(corio?.ratioText).toBe('1.50×');
    expect(corio?.medianText).toBe('2.00');
    expect(corio?.rangeText).toBe('1.00–3.00');
    expect(corio?.kind).toBe('corio');
    expect(file.cases[0]?.rows[0]?.kind).toBe('baseline');
  });

  it('titles the core cases and names `<major>.json` the core suite', () => {
    const file = parseResults('20.json', JSON.stringify({ results: [result('task.raw', 'task')] }));
    expect(file.suite).toBe('core');
    expect(file.cases[0]?.title).toBe('createTask(fn) + await vs await fn()');
  });

  it("reads bench:http's file: one case per figure, corio's row against the ratio with a goal", () => {
    const spread = (median: number) => ({ min: median - 1, median, max: median + 1 });
    const server = (id: string, rps: number, p99: number) => ({
      id,
      label: `${id} server`,
      rps: spread(rps),
      p99Ms: spread(p99),
      cpuUsPerRequest: spread(9),
      errors: 0,
    });
    const ratio = (figure: string, to: string, median: number, goal?: string) => ({
      id: `${figure} corio / ${to}`,
      of: 'corio',
      to,
      figure,
      ...spread(median),
      ...(goal === undefined ? {} : { goal, pass: true }),
    });
    const file = parseResults(
      'http-24.json',
      JSON.stringify({
        results: [server('corio', 90, 1.5), server('node-http', 80, 1.7), server('raw', 95, 1.2)],
        ratios: [
          ratio('rps', 'raw', 0.95, '≥ 0.9'),
          ratio('rps', 'node-http', 1.12),
          ratio('p99', 'raw', 1.25),
          ratio('p99', 'node-http', 0.88, '≤ 1'),
          ratio('cpu', 'raw', 1.1),
        ],
      }),
    );
    expect(file.suite).toBe('http');
    expect(file.cases.map((c) => c.caseId)).toEqual(['rps', 'p99', 'cpu']);
    const [rps, p99] = file.cases;
    expect(rps?.title).toMatch(/requests per second/);
    expect(rps?.rows.map((r) => [r.id, r.unit, r.median, r.kind])).toEqual([
      ['rps.corio', 'req/s', 90, 'corio'],
      ['rps.node-http', 'req/s', 80, 'baseline'],
      ['rps.raw', 'req/s', 95, 'baseline'],
    ]);
    expect(rps?.rows[0]).toMatchObject({ vs: 'rps.raw', ratio: 0.95, target: '≥ 0.9', pass: true });
    expect(p99?.rows[0]).toMatchObject({ vs: 'p99.node-http', ratio: 0.88, target: '≤ 1' });
    expect(file.cases[2]?.rows[0]).toMatchObject({ vs: 'cpu.raw', ratio: 1.1 });
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

  it('tells corio, the other libraries, CPython and the baselines apart by id', () => {
    const kinds = Object.fromEntries(
      [
        'task.raw-in-run',
        'spawn.promise-all',
        'spawn.gather',
        'timeout.p-timeout-in-run',
        'timeout.abort-signal',
        'limit.minimal-after',
        'limit.async-mutex',
        'queue.corio-plain-1',
        'asyncio-sync.queue-1',
        'lines.readline',
        'echo.asyncio',
        'executor.tiny.tinypool',
        'executor.tiny.one-in-flight',
        'executor.tiny.corio-map',
        'executor.cpu.serial',
      ].map((id) => [id, kindOf(id)]),
    );
    expect(kinds).toEqual({
      'task.raw-in-run': 'baseline',
      'spawn.promise-all': 'baseline',
      'spawn.gather': 'corio',
      'timeout.p-timeout-in-run': 'library',
      'timeout.abort-signal': 'baseline',
      'limit.minimal-after': 'baseline',
      'limit.async-mutex': 'library',
      'queue.corio-plain-1': 'corio',
      'asyncio-sync.queue-1': 'cpython',
      'lines.readline': 'baseline',
      'echo.asyncio': 'cpython',
      'executor.tiny.tinypool': 'library',
      'executor.tiny.one-in-flight': 'baseline',
      'executor.tiny.corio-map': 'corio',
      'executor.cpu.serial': 'baseline',
    });
  });

  /** Two core runs: Node 20 without the `limit` case, Node 24 with it. */
  function twoRuns(): BenchFile[] {
    const run = (name: string, results: object[]): BenchFile =>
      parseResults(name, JSON.stringify({ results }));
    const spawn = [
      result('spawn.promise-all', 'spawn', { median: 40, min: 35, max: 45 }),
      result('spawn.gather', 'spawn', {
        median: 130,
        min: 100,
        max: 150,
        vs: 'spawn.promise-all',
        ratio: 3.25,
        target: '≤ 4x',
        pass: true,
      }),
      result('asyncio.gather', 'asyncio', {
        median: 2150,
        min: 2000,
        max: 2200,
        vs: 'spawn.gather',
        ratio: 16.5,
      }),
    ];
    const limit = [
      result('limit.p-limit', 'limit'),
      result('limit.corio', 'limit', {
        vs: 'limit.p-limit',
        ratio: 1.5,
        target: '≤ 1x',
        pass: false,
      }),
    ];
    return sortFiles([run('24.json', [...spawn, ...limit]), run('20.json', spawn)]);
  }

  it('lists every result with a target, with a ratio per Node version', () => {
    const rows = headlines(twoRuns());
    expect(rows.map((r) => [r.id, r.target, r.cells])).toEqual([
      [
        'spawn.gather',
        '≤ 4x',
        [
          { ratioText: '3.25×', pass: true },
          { ratioText: '3.25×', pass: true },
        ],
      ],
      ['limit.corio', '≤ 1x', [undefined, { ratioText: '1.50×', pass: false }]],
    ]);
    expect(rows[0]?.vsText).toBe('spawn.promise-all · label');
  });

  it('draws one chart per case, a reference case beside the case it is compared with', () => {
    const groups = chartRows(twoRuns());
    expect(groups.map((g) => [g.caseId, g.rows.map((r) => `${r.row.id}@${r.file.file}`)])).toEqual([
      [
        'spawn',
        [
          'spawn.promise-all@20.json',
          'spawn.gather@20.json',
          'asyncio.gather@20.json',
          'spawn.promise-all@24.json',
          'spawn.gather@24.json',
          'asyncio.gather@24.json',
        ],
      ],
      ['limit', ['limit.p-limit@24.json', 'limit.corio@24.json']],
    ]);
  });

  it('renders each chart as an SVG with a legend, a colour per kind and a log scale past 10x', () => {
    const [spawn, limit] = charts(twoRuns());
    expect(spawn?.id).toBe('core-spawn');
    expect(spawn?.log).toBe(true); // 35 to 2,200 ms
    expect(limit?.log).toBe(false);
    expect(spawn?.legend).toEqual({
      domain: ['corio', 'CPython asyncio', 'baseline, no library'],
      range: [KIND_COLORS.corio, KIND_COLORS.cpython, KIND_COLORS.baseline],
    });
    expect(limit?.legend.domain).toEqual(['corio', 'p-limit']);
    for (const markup of [spawn?.wide ?? '', spawn?.narrow ?? '']) {
      expect(markup).toMatch(/^<figure[^>]*>.*<svg[^>]*aria-label="spawn \+ join 100,000 tasks, /s);
      expect(markup).toContain('>CPython asyncio</span>');
      expect(markup).toContain(`fill="${KIND_COLORS.cpython}"`);
      expect(markup).toContain('>Node 20</text>');
      expect(markup).toContain('>2,150</text>');
    }
    expect(spawn?.wide).toContain('viewBox="0 0 680 ');
    expect(spawn?.narrow).toContain('viewBox="0 0 342 ');
  });
});

describe('the benchmarks loader, on files of paired rounds', () => {
  /** A core run in paired rounds: a spawn case charted by ratio, a heap case by value. */
  function pairedRun(name: string): BenchFile {
    const row = (id: string, caseId: string, extra: object = {}): object => ({
      id,
      caseId,
      label: `${id}   label`,
      unit: caseId === 'heap' ? 'B/task' : 'ms',
      median: 40,
      min: 35,
      max: 45,
      runs: [35, 40, 45],
      ...extra,
    });
    return parseResults(
      name,
      JSON.stringify({
        machine: { node: 'v24.1.0', cores: 2 },
        load: { start: [1.5, 2, 2.25], end: [3, 2.5, 2.125] },
        cases: [
          {
            id: 'spawn',
            title: '2. spawn + join',
            unit: 'ms',
            baseline: 'spawn.promise-all',
            plot: 'ratio',
          },
          { id: 'heap', title: '4. heap', unit: 'B/task', baseline: 'heap.raw', plot: 'value' },
        ],
        results: [
          row('spawn.promise-all', 'spawn'),
          row('spawn.gather', 'spawn', {
            median: 240,
            vs: 'spawn.promise-all',
            ratio: 6,
            ratioMin: 5.5,
            ratioMax: 6.6,
            target: '≤ 3x',
            targetVs: 'spawn.promise-all',
            pass: false,
          }),
          row('spawn.effect', 'spawn', {
            vs: 'spawn.promise-all',
            ratio: 50,
            ratioMin: 40,
            ratioMax: 60,
            vs2: 'spawn.gather',
            ratio2: 8.25,
            ratio2Min: 7,
            ratio2Max: 9,
          }),
          row('heap.raw', 'heap', { median: 640 }),
          row('heap.future', 'heap', { median: 760, target: '≤ 600 B', pass: false }),
          row('asyncio.gather', 'asyncio', {
            median: 2000,
            min: 1800,
            max: 2400,
            vs: 'spawn.gather',
            ratio: 8.3,
            paired: false,
          }),
        ],
        pairs: [
          {
            id: 'spawn.gather',
            label: 'spawn.gather   label',
            vs: 'spawn.promise-all',
            vsLabel: 'spawn.promise-all   label',
            pairs: 8,
            ratio: 5.875,
            ratioMin: 5.5,
            ratioMax: 6.25,
            target: '≤ 3x',
            pass: false,
          },
        ],
      }),
    );
  }

  it('reads the per-round ratios, the second ratio, the load and the pairs', () => {
    const file = pairedRun('24.json');
    expect(file.paired).toBe(true);
    expect(file.load).toEqual({ start: '1.50 2.00 2.25', end: '3.00 2.50 2.13' });
    expect(file.cases.map((c) => c.title)).toEqual([
      'spawn + join',
      'heap',
      'CPython asyncio reference (spawn + join 100,000)',
    ]);
    const [, gather, effect] = file.cases[0]?.rows ?? [];
    expect([gather?.ratioText, gather?.ratioRangeText, gather?.targetText]).toEqual([
      '6.00×',
      '5.50–6.60',
      '6.00×',
    ]);
    expect(effect?.kind).toBe('library');
    expect(effect?.ratio2Text).toBe('8.25× (7.00–9.00)');
    expect(effect?.vs2Text).toBe('spawn.gather · label');
    // A target on the figure itself is judged on the figure.
    expect(file.cases[1]?.rows[1]?.targetText).toBe('760 B');
    expect(file.pairs[0]).toMatchObject({
      text: 'spawn.gather · label',
      vsText: 'spawn.promise-all · label',
      ratioText: '5.88×',
      ratioRangeText: '5.50–6.25',
    });
  });

  it('puts the pairs and the targets in the headlines, a cell per Node version', () => {
    const files = sortFiles([pairedRun('26.json'), pairedRun('24.json')]);
    expect(pairHeadlines(files).map((p) => [p.id, p.target, p.cells])).toEqual([
      [
        'spawn.gather',
        '≤ 3x',
        [1, 2].map(() => ({
          ratioText: '5.88×',
          ratioRangeText: '5.50–6.25',
          pairs: 8,
          pass: false,
        })),
      ],
    ]);
    expect(headlines(files).map((h) => [h.id, h.cells[0]?.ratioText])).toEqual([
      ['spawn.gather', '6.00×'],
      ['heap.future', '760 B'],
    ]);
  });

  it('gives a target that changed a headline of its own', () => {
    const old = parseResults(
      '20.json',
      JSON.stringify({
        results: [
          {
            id: 'spawn.promise-all',
            caseId: 'spawn',
            label: 'x',
            unit: 'ms',
            median: 1,
            min: 1,
            max: 1,
          },
          {
            id: 'spawn.gather',
            caseId: 'spawn',
            label: 'y',
            unit: 'ms',
            median: 3,
            min: 3,
            max: 3,
            vs: 'spawn.promise-all',
            ratio: 3,
            target: '≤ 4x',
            pass: true,
          },
        ],
      }),
    );
    const rows = headlines(sortFiles([pairedRun('24.json'), old]));
    expect(rows.map((h) => [h.id, h.target, h.cells.map((c) => c?.ratioText)])).toEqual([
      ['spawn.gather', '≤ 4x', ['3.00×', undefined]],
      ['spawn.gather@≤ 3x', '≤ 3x', [undefined, '6.00×']],
      ['heap.future', '≤ 600 B', [undefined, '760 B']],
    ]);
  });

  it('charts ratios to the baseline per round, CPython unpaired beside, an older file left out', () => {
    const old = parseResults(
      '20.json',
      JSON.stringify({
        results: [
          {
            id: 'spawn.promise-all',
            caseId: 'spawn',
            label: 'x',
            unit: 'ms',
            median: 1,
            min: 1,
            max: 1,
          },
        ],
      }),
    );
    const groups = chartRows([old, pairedRun('24.json')]);
    expect(groups.map((g) => [g.caseId, g.mode, g.rows.map((r) => r.row.id)])).toEqual([
      ['spawn', 'ratio', ['spawn.gather', 'spawn.effect', 'asyncio.gather']],
      ['heap', 'value', ['heap.raw', 'heap.future']],
    ]);
    const spawn = groups[0]?.rows ?? [];
    expect(spawn.map((r) => [r.median, r.min, r.max])).toEqual([
      [6, 5.5, 6.6],
      [50, 40, 60],
      [50, 45, 60],
    ]);
    const [chart] = charts([old, pairedRun('24.json')]);
    expect(chart?.title).toBe('spawn + join, ÷ spawn.promise-all · label');
    expect(chart?.legend.domain).toEqual(['corio', 'Effect', 'CPython asyncio']);
    expect(chart?.wide).toContain('asyncio.gather · label (own process, not paired)');
    expect(chart?.wide).toContain('>6.00×</text>');
  });
});

describe('the chart helpers', () => {
  it('shortens tick labels', () => {
    expect([0, 150, 1500, 20_000, 2_500_000].map(shortNumber)).toEqual([
      '0',
      '150',
      '1.5k',
      '20k',
      '2.5M',
    ]);
  });

  it('puts log ticks at 1, 2 and 5 times a power of ten, inside the domain', () => {
    expect(logTicks(30, 2500, [1, 2, 5])).toEqual([50, 100, 200, 500, 1000, 2000]);
    expect(logTicks(30, 2500, [1, 3])).toEqual([30, 100, 300, 1000]);
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
const NOT_IN_README_YET = new Set<string>();

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

describe('figures in the Markdown pages', () => {
  it('cite bench/results files that exist (a figure whose file is gone is stale)', () => {
    const root = resolve(DOCS, '..');
    const problems: string[] = [];
    for (const page of markdownPages()) {
      const text = readFileSync(page, 'utf8');
      for (const match of text.matchAll(/bench\/results\/([\w.{},-]+\.json)/g)) {
        const cited = match[1] ?? '';
        // `{22,24}.json` names 22.json and 24.json.
        const braces = /\{([^}]*)\}/.exec(cited);
        const names =
          braces === null
            ? [cited]
            : (braces[1] ?? '').split(',').map((part) => cited.replace(braces[0], part));
        for (const name of names) {
          if (!existsSync(join(root, 'bench', 'results', name))) {
            problems.push(`${relative(DOCS, page)}: bench/results/${name} does not exist`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

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
