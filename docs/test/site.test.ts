// The documentation site in a real browser: builds it as `pnpm docs:build` does (TypeDoc, then
// VitePress), serves the output on 127.0.0.1 and drives Debian's Chromium through playwright-core.
// Every request that leaves 127.0.0.1 is blocked and recorded: the site must need none.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_COLORS } from '../.vitepress/benchmarks.data.js';
import { serveSite } from '../.vitepress/site-server.js';
import type { SiteServer } from '../.vitepress/site-server.js';
import { CHROMIUM, find } from './tools.js';

const execFileAsync = promisify(execFile);
const DOCS = fileURLToPath(new URL('..', import.meta.url));
const ROOT = resolve(DOCS, '..');
const SCREENSHOTS = join(ROOT, '.screenshots');
const BUILD_MS = 240_000;
/** Per browser check: generous, for a loaded two-core machine. */
const PAGE_MS = 60_000;
/** The few DOM members the checks read in the page (the repository has no DOM types). */
interface Box {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getAttribute(name: string): string | null;
  querySelector(selector: string): Box | null;
  closest(selector: string): Box | null;
  getBoundingClientRect(): { readonly left: number; readonly right: number };
}

/** A phone's viewport: the benchmarks page must fit it. */
const PHONE = { width: 390, height: 844 };

/** Runs one build step with the Node running the tests; its output is in the error if it fails. */
async function step(bin: string, args: readonly string[]): Promise<void> {
  try {
    await execFileAsync(process.execPath, [join(DOCS, 'node_modules', bin), ...args], {
      cwd: DOCS,
      timeout: BUILD_MS,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${bin} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** The first recipe page (by file name) and the code file it includes with `<<<`. */
async function firstRecipe(): Promise<{ slug: string; code: string } | undefined> {
  const dir = join(DOCS, 'recipes');
  const pages = (await readdir(dir).catch(() => []))
    .filter((file) => file.endsWith('.md') && file !== 'index.md')
    .sort();
  for (const page of pages) {
    const markdown = await readFile(join(dir, page), 'utf8');
    const include = /^<<<\s+(\S+?\.ts)\b/m.exec(markdown)?.[1];
    if (include === undefined) continue;
    const file = include.startsWith('@/') ? join(DOCS, include.slice(2)) : join(dir, include);
    return { slug: basename(page, '.md'), code: await readFile(file, 'utf8') };
  }
  return undefined;
}

describe('the documentation site', { timeout: PAGE_MS }, () => {
  let dist: string | undefined;
  let resultFiles: string[] = [];
  let server: SiteServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const offsite: string[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    // The same build as `pnpm docs:build`, into a folder of its own so that a `docs:build` or
    // `docs:dev` running meanwhile neither breaks this test nor is broken by it.
    dist = await mkdtemp(join(tmpdir(), 'corio-site-'));
    // Read before the build: a bench run may add a file while the site is being built.
    resultFiles = (await readdir(join(ROOT, 'bench', 'results'))).filter((f) =>
      f.endsWith('.json'),
    );
    await step('typedoc/bin/typedoc', []);
    await step('vitepress/bin/vitepress.js', ['build', '--outDir', dist]);
    server = await serveSite(dist);
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: find(CHROMIUM),
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(PAGE_MS / 2);
    context.on('weberror', (error) => failures.push(`uncaught: ${String(error.error())}`));
    context.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${String(response.status())} ${response.url()}`);
    });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      offsite.push(url.href);
      return route.abort('blockedbyclient');
    });
  }, BUILD_MS * 2);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    if (dist !== undefined) await rm(dist, { recursive: true, force: true });
  });

  async function open(path: string): Promise<Page> {
    if (context === undefined || server === undefined) throw new Error('The site did not start');
    const page = await context.newPage();
    const response = await page.goto(`${server.origin}${path}`, { waitUntil: 'load' });
    expect(response?.status(), `GET ${path}`).toBe(200);
    // The theme hydrates after load; the nav bar is there once the app is interactive.
    await page.locator('.VPNavBar').waitFor();
    return page;
  }

  it('renders the home page with its hero and code sample', async () => {
    const page = await open('/');
    await expect(page.title()).resolves.toMatch(/^corio/);
    await expect(page.locator('.VPHero .name').innerText()).resolves.toBe('corio');
    await expect(page.locator('.VPHero .text').innerText()).resolves.toContain('asyncio');
    await expect(page.locator('.VPFeature').count()).resolves.toBeGreaterThanOrEqual(3);
    const code = await page.locator('.vp-doc div[class*="language-ts"] code').first().innerText();
    expect(code).toContain("from '@corio/core'");
    const nav = await page.locator('.VPNavBarMenu').innerText();
    for (const item of ['Guide', 'API', 'Recipes', 'Benchmarks']) expect(nav).toContain(item);
    await page.screenshot({ path: join(SCREENSHOTS, 'home.png'), fullPage: true });
    await page.close();
  });

  it('shows the logo, the version and the repository in the nav bar', async () => {
    const page = await open('/guide/');
    const { version } = JSON.parse(
      await readFile(join(ROOT, 'packages', 'core', 'package.json'), 'utf8'),
    ) as { version: string };
    await expect(page.locator('.VPNavBarMenu').innerText()).resolves.toContain(`v${version}`);
    const logo = page.locator('.VPNavBarTitle img.logo');
    await expect(logo.getAttribute('src')).resolves.toBe('/logo.svg');
    // Loaded (the response listener records a failed load): a drawn image has a natural width.
    expect(
      await logo.evaluate((img: { naturalWidth: number }) => img.naturalWidth),
    ).toBeGreaterThan(0);
    await expect(page.locator('link[rel="icon"]').getAttribute('href')).resolves.toBe('/logo.svg');
    const repository = page.locator('.VPNavBarSocialLinks .VPSocialLink');
    await expect(repository.getAttribute('href')).resolves.toMatch(
      /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/,
    );
    await page.close();
  });

  it('lists the installation page in the guide', async () => {
    const page = await open('/guide/installation');
    await expect(page.locator('.VPSidebar').innerText()).resolves.toContain('Installation');
    const text = await page.locator('.vp-doc').innerText();
    for (const phrase of [
      'npm i @corio/core',
      'pnpm --filter @corio/core pack',
      '"type": "module"',
    ]) {
      expect(text).toContain(phrase);
    }
    expect(text).toMatch(/Node\.js 22, 24 and 26/);
    await page.close();
  });

  it('fits every code block in the page column at 1280 px', async () => {
    // The guide's examples and the recipes are printed at 72 columns (docs/.prettierrc.json) in
    // 13 px type: no block of these pages needs a horizontal scroll bar.
    const pages = [
      '/',
      '/guide/getting-started',
      '/guide/cancellation',
      '/guide/installation',
      '/guide/coming-from-p-limit',
      '/recipes/hello-web-server',
      '/recipes/retry-backoff',
      // API pages: their @example blocks are kept to 72 columns by doc-examples.test.ts.
      '/api/core/functions/createTask',
      '/api/core/functions/timeout',
      '/api/core/functions/timeoutAt',
      '/api/core/classes/Queue',
      '/api/streams/classes/StreamWriter',
      '/api/executor/classes/WorkerPoolExecutor',
    ];
    const overflowing: string[] = [];
    for (const path of pages) {
      const page = await open(path);
      const blocks = page.locator('.vp-doc div[class*="language-"] pre');
      expect(await blocks.count(), path).toBeGreaterThan(0);
      for (const block of await blocks.all()) {
        const { scrollWidth, clientWidth, text } = await block.evaluate(
          (pre: { scrollWidth: number; clientWidth: number; textContent: string | null }) => ({
            scrollWidth: pre.scrollWidth,
            clientWidth: pre.clientWidth,
            text: pre.textContent ?? '',
          }),
        );
        if (scrollWidth > clientWidth) {
          const widest = text.split('\n').reduce((a, b) => (b.length > a.length ? b : a), '');
          overflowing.push(
            `${path}: ${String(scrollWidth)} > ${String(clientWidth)} px: ${widest}`,
          );
        }
      }
      await page.close();
    }
    expect(overflowing).toEqual([]);
  });

  it('shows the signature of createTask on its API page', async () => {
    const page = await open('/api/core/functions/createTask');
    await expect(page.locator('.vp-doc h1').innerText()).resolves.toContain('createTask');
    const signature = await page
      .locator('.vp-doc div[class*="language-ts"] code')
      .first()
      .innerText();
    expect(signature).toContain('function createTask<T>(fn, options?): Task<T>');
    // The parameters table (TypeScript may print the union in either order).
    const fn = await page
      .locator('.vp-doc tr')
      .filter({ has: page.locator('td:first-child', { hasText: /^fn$/ }) })
      .first()
      .innerText();
    expect(fn).toContain('() => T');
    expect(fn).toContain('PromiseLike<T>');
    // The description and the @example.
    const text = await page.locator('.vp-doc').innerText();
    expect(text).toContain('Starts fn as a new task');
    expect(text).toContain("import { createTask, sleep } from '@corio/core';");
    await page.screenshot({ path: join(SCREENSHOTS, 'api-createTask.png'), fullPage: true });
    await page.close();
  });

  it('shows the code of a recipe on its page', async () => {
    const recipe = await firstRecipe();
    expect(recipe, 'docs/recipes/ has no page that includes its program with <<<').toBeDefined();
    if (recipe === undefined) return;
    const page = await open(`/recipes/${recipe.slug}`);
    const blocks = await page.locator('.vp-doc div[class*="language-"] code').allInnerTexts();
    const code = blocks.join('\n');
    // Every import line of the program is on the page, as written in the file.
    const imports = recipe.code.split('\n').filter((line) => line.startsWith('import '));
    expect(imports.length).toBeGreaterThan(0);
    for (const line of imports) expect(code).toContain(line);
    await page.screenshot({ path: join(SCREENSHOTS, 'recipe.png'), fullPage: true });
    await page.close();
  });

  it('finds waitFor with the site search', async () => {
    const page = await open('/');
    await page.locator('#local-search button').click();
    const input = page.locator('#localsearch-input');
    await input.fill('waitFor');
    const hit = page.locator('.VPLocalSearchBox a.result[href*="/api/core/functions/waitFor"]');
    await hit.first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'search.png') });
    await hit.first().click();
    await page.waitForURL(/\/api\/core\/functions\/waitFor/);
    await expect(page.locator('.vp-doc h1').innerText()).resolves.toContain('waitFor');
    await page.close();
  });

  /**
   * The benchmark charts as a reader sees them at this width: one visible chart per heading, each
   * an SVG with a legend, corio's colour apart from every other's.
   */
  async function checkCharts(page: Page): Promise<void> {
    const headings = await page.locator('.vp-doc .bench-charts h3').count();
    expect(headings).toBeGreaterThan(0);
    const charts = page.locator('.vp-doc .bench-chart').filter({ visible: true });
    await expect(charts.count()).resolves.toBe(headings);
    let peers = 0;
    for (const chart of await charts.all()) {
      await expect(chart.locator('svg[aria-label]').count()).resolves.toBe(1);
      const legend = await chart.locator('[class$="-swatch"]').evaluateAll((swatches: Box[]) =>
        swatches.map((swatch) => ({
          text: swatch.textContent?.trim() ?? '',
          fill: swatch.querySelector('svg')?.getAttribute('fill') ?? '',
        })),
      );
      expect(legend.map((entry) => entry.text)).toContain('corio');
      for (const entry of legend) {
        if (entry.text === 'corio') expect(entry.fill).toBe(KIND_COLORS.corio);
        else expect(entry.fill).not.toBe(KIND_COLORS.corio);
      }
      const dots = await chart
        .locator('circle')
        .evaluateAll((circles: Box[]) => circles.map((c) => c.getAttribute('fill')));
      expect(dots).toContain(KIND_COLORS.corio);
      if (dots.some((fill) => fill === KIND_COLORS.library || fill === KIND_COLORS.cpython)) {
        peers++;
      }
    }
    // p-limit & co. and CPython are on the page, in colours of their own.
    expect(peers).toBeGreaterThan(0);
  }

  it('shows the benchmarks as a summary, a chart per case, and every figure', async () => {
    const page = await open('/benchmarks');
    const text = await page.locator('.vp-doc').textContent();
    for (const file of resultFiles) expect(text).toContain(`bench/results/${file}`);
    expect(text).toContain('pnpm bench');
    await expect(
      page.locator('.vp-doc table.bench-summary tbody tr').count(),
    ).resolves.toBeGreaterThan(0);
    // The figures are collapsed, one block per file.
    await expect(page.locator('.vp-doc details').count()).resolves.toBe(resultFiles.length);
    await expect(page.locator('.vp-doc details table.results').first().isVisible()).resolves.toBe(
      false,
    );
    await checkCharts(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'benchmarks-1280.png'), fullPage: true });
    await page.close();
  });

  it('fits the benchmarks page, charts and summary on a 390 px screen', async () => {
    const page = await open('/benchmarks');
    await page.setViewportSize(PHONE);
    await checkCharts(page);
    // Nothing shown is wider than the screen, and the summary needs no horizontal scroll bar
    // (the tables of every figure, collapsed, may scroll when opened).
    const wide = await page.locator('.vp-doc svg, .vp-doc figure, .vp-doc table').evaluateAll(
      (elements: Box[], width) =>
        elements
          .filter((element) => element.closest('details:not([open])') === null)
          .filter((element) => {
            const box = element.getBoundingClientRect();
            const scrolls =
              element.tagName === 'TABLE' && element.scrollWidth > element.clientWidth + 1;
            return box.left < -0.5 || box.right > width + 0.5 || scrolls;
          })
          .map((element) => `${element.tagName} ${element.getAttribute('class') ?? ''}`),
      PHONE.width,
    );
    expect(wide).toEqual([]);
    await expect(page.locator('html').evaluate((html: Box) => html.scrollWidth)).resolves.toBe(
      PHONE.width,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'benchmarks-390.png'), fullPage: true });
    await page.close();
  });

  it('needs nothing from outside 127.0.0.1, and nothing failed to load or run', () => {
    expect(offsite).toEqual([]);
    expect(failures).toEqual([]);
  });
});
