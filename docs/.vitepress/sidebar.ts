// Sidebars built at config time from the files that exist, so the site builds while the guide and
// the recipes are still being written: a missing page is left out, never a dead link.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DefaultTheme } from 'vitepress';

/** The guide pages, in reading order: [file under docs/guide/ without `.md`, fallback label]. */
export const GUIDE_PAGES: readonly (readonly [string, string])[] = [
  ['index', 'What is corio?'],
  ['installation', 'Installation'],
  ['getting-started', 'Getting started'],
  ['cancellation', 'Cancellation'],
  ['structured-concurrency', 'Structured concurrency'],
  ['timeouts', 'Timeouts'],
  ['current-task', 'The current task'],
  ['testing-with-virtual-time', 'Testing with virtual time'],
  ['debugging', 'Debugging stuck and slow programs'],
  ['beyond-one-machine', 'When one machine is not enough'],
  ['coming-from-asyncio', 'Coming from asyncio'],
  ['coming-from-p-limit', 'Coming from p-limit & co.'],
];

/** A page's frontmatter `title`, else its first H1, else undefined. */
export function pageTitle(markdown: string): string | undefined {
  const text = markdown.replace(/^\uFEFF/, '');
  const frontmatter = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/.exec(text);
  if (frontmatter !== null) {
    const line = /^title:[ \t]*(.+?)[ \t]*$/m.exec(frontmatter[1] ?? '');
    const title = line?.[1] !== undefined ? unquote(line[1]) : '';
    if (title !== '') return title;
  }
  const body = frontmatter === null ? text : text.slice(frontmatter[0].length);
  // The first ATX H1 outside fenced code blocks.
  let fenced = false;
  for (const line of body.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const h1 = /^#[ \t]+(.+?)[ \t#]*$/.exec(line);
    if (h1?.[1] !== undefined) return stripMarkdown(h1[1]);
  }
  return undefined;
}

/** A frontmatter number field (`order: 3`), else undefined. */
function frontmatterNumber(markdown: string, field: string): number | undefined {
  const frontmatter = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---/.exec(markdown);
  const match = new RegExp(`^${field}:[ \\t]*(-?\\d+(?:\\.\\d+)?)[ \\t]*$`, 'm').exec(
    frontmatter?.[1] ?? '',
  );
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function unquote(value: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(value);
  if (quoted?.[2] === undefined) return value;
  return quoted[1] === "'" ? quoted[2].replaceAll("''", "'") : quoted[2].replaceAll('\\"', '"');
}

/** Inline Markdown a sidebar shows as text: `code`, *emphasis*, [links](x). */
function stripMarkdown(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_]/g, '')
    .trim();
}

/** The guide sidebar: the pages of {@link GUIDE_PAGES} that exist. */
export function guideSidebar(docsDir: string): DefaultTheme.SidebarItem[] {
  const items = GUIDE_PAGES.flatMap(([slug, label]) => {
    const file = join(docsDir, 'guide', `${slug}.md`);
    if (!existsSync(file)) return [];
    return [{ text: pageTitle(readFileSync(file, 'utf8')) ?? label, link: guideLink(slug) }];
  });
  return items.length === 0 ? [] : [{ text: 'Guide', items }];
}

function guideLink(slug: string): string {
  return slug === 'index' ? '/guide/' : `/guide/${slug}`;
}

/** The first guide page that exists (the nav's target), or undefined. */
export function firstGuideLink(docsDir: string): string | undefined {
  const first = GUIDE_PAGES.find(([slug]) => existsSync(join(docsDir, 'guide', `${slug}.md`)));
  return first === undefined ? undefined : guideLink(first[0]);
}

/** One recipe page: where it is and what the sidebar calls it. */
export interface RecipePage {
  readonly slug: string;
  readonly title: string;
  readonly link: string;
  readonly order: number | undefined;
}

/**
 * The recipe pages (docs/recipes/*.md except index.md): title from the frontmatter, else the H1,
 * else the file name; ordered by a frontmatter `order:` if given, then by title.
 */
export function recipePages(docsDir: string): RecipePage[] {
  const dir = join(docsDir, 'recipes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file !== 'index.md')
    .map((file) => {
      const markdown = readFileSync(join(dir, file), 'utf8');
      const slug = basename(file, '.md');
      return {
        slug,
        title: pageTitle(markdown) ?? slug,
        link: `/recipes/${slug}`,
        order: frontmatterNumber(markdown, 'order'),
      };
    })
    .sort(
      (a, b) =>
        (a.order ?? Infinity) - (b.order ?? Infinity) ||
        a.title.localeCompare(b.title, 'en') ||
        a.slug.localeCompare(b.slug, 'en'),
    );
}

/** The recipes sidebar: the overview (docs/recipes/index.md) if it exists, then each recipe. */
export function recipesSidebar(docsDir: string): DefaultTheme.SidebarItem[] {
  const pages = recipePages(docsDir);
  const hasIndex = existsSync(join(docsDir, 'recipes', 'index.md'));
  if (pages.length === 0 && !hasIndex) return [];
  const items: DefaultTheme.SidebarItem[] = pages.map(({ title, link }) => ({ text: title, link }));
  if (hasIndex) items.unshift({ text: 'All recipes', link: '/recipes/' });
  return [{ text: 'Recipes', items }];
}

/** The first recipes page that exists (the nav's target), or undefined. */
export function firstRecipesLink(docsDir: string): string | undefined {
  if (existsSync(join(docsDir, 'recipes', 'index.md'))) return '/recipes/';
  return recipePages(docsDir)[0]?.link;
}

/** The packages in the API sidebar: the core first, then what builds on it. */
const PACKAGE_ORDER = ['@corio/core', '@corio/core/testing', '@corio/streams', '@corio/executor'];

/**
 * The API sidebar that typedoc-vitepress-theme wrote to docs/api/typedoc-sidebar.json, with each
 * package's group open (its Classes/Functions/... groups stay collapsed). Empty if TypeDoc has
 * not run (`vitepress dev` without `pnpm run dev`).
 */
export function apiSidebar(docsDir: string): DefaultTheme.SidebarItem[] {
  const file = join(docsDir, 'api', 'typedoc-sidebar.json');
  if (!existsSync(file)) return [];
  const packages = JSON.parse(readFileSync(file, 'utf8')) as DefaultTheme.SidebarItem[];
  const rank = (item: DefaultTheme.SidebarItem): number => {
    const index = PACKAGE_ORDER.indexOf(item.text ?? '');
    return index === -1 ? PACKAGE_ORDER.length : index;
  };
  return [
    { text: 'API reference', link: '/api/' },
    ...packages.map((item) => ({ ...item, collapsed: false })).sort((a, b) => rank(a) - rank(b)),
  ];
}
