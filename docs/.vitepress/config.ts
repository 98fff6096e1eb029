// The corio documentation site. `pnpm docs:build` runs TypeDoc (docs/typedoc.json → docs/api/)
// and then this VitePress build; see docs/README.md.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import type { DefaultTheme } from 'vitepress';
import {
  apiSidebar,
  firstGuideLink,
  firstRecipesLink,
  guideSidebar,
  recipesSidebar,
} from './sidebar.js';

const docsDir = fileURLToPath(new URL('..', import.meta.url));

/** The version of the packages (they are released together), read when the site is built. */
const { version } = JSON.parse(
  readFileSync(new URL('../../packages/core/package.json', import.meta.url), 'utf8'),
) as { version: string };

/**
 * The repository. Neither the README nor a package.json names one yet, so this address is
 * assumed: correct it here once the packages have a `repository` field.
 */
const REPOSITORY = 'https://github.com/corio-dev/corio';

const nav: DefaultTheme.NavItem[] = [
  { text: 'Guide', link: firstGuideLink(docsDir) ?? '/', activeMatch: '^/guide/' },
  { text: 'API', link: '/api/', activeMatch: '^/api/' },
  { text: 'Recipes', link: firstRecipesLink(docsDir) ?? '/', activeMatch: '^/recipes/' },
  { text: 'Benchmarks', link: '/benchmarks' },
  {
    text: `v${version}`,
    items: [
      { text: 'Installation', link: '/guide/installation' },
      { text: 'Releases', link: `${REPOSITORY}/releases` },
    ],
  },
];

export default defineConfig({
  title: 'corio',
  description:
    "Python asyncio's semantics — tasks, cancellation, timeouts, task groups — for TypeScript on Node.js",
  lang: 'en-US',
  cleanUrls: true,
  // Pages are the Markdown files of the site only; README.md describes this folder on GitHub.
  srcExclude: ['README.md', 'test/**', '**/node_modules/**'],
  // Everything the browser loads comes from the site itself: no web fonts from a CDN (the theme's
  // Inter is bundled), no analytics, no hosted search.
  head: [
    ['meta', { name: 'theme-color', content: '#3451b2' }],
    // Declared, so that the browser asks for no /favicon.ico (which the site does not have).
    ['link', { rel: 'icon', type: 'image/svg+xml', href: '/logo.svg' }],
  ],
  markdown: {
    // The API pages show signatures as ```ts blocks; line numbers would only add noise.
    lineNumbers: false,
  },
  themeConfig: {
    logo: { src: '/logo.svg', alt: '' },
    nav,
    socialLinks: [{ icon: 'github', link: REPOSITORY, ariaLabel: 'corio on GitHub' }],
    sidebar: {
      '/guide/': guideSidebar(docsDir),
      '/recipes/': recipesSidebar(docsDir),
      '/api/': apiSidebar(docsDir),
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    footer: { message: 'MIT licensed' },
  },
});
