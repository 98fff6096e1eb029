// The corio documentation site. `pnpm docs:build` runs TypeDoc (docs/typedoc.json → docs/api/)
// and then this VitePress build; see docs/README.md.
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

const nav: DefaultTheme.NavItem[] = [
  { text: 'Guide', link: firstGuideLink(docsDir) ?? '/', activeMatch: '^/guide/' },
  { text: 'API', link: '/api/', activeMatch: '^/api/' },
  { text: 'Recipes', link: firstRecipesLink(docsDir) ?? '/', activeMatch: '^/recipes/' },
  { text: 'Benchmarks', link: '/benchmarks' },
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
    // Inline, so that no request for /favicon.ico fails.
    [
      'link',
      {
        rel: 'icon',
        type: 'image/svg+xml',
        href: `data:image/svg+xml,${encodeURIComponent(
          '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3451b2"/><path d="M22 11.5a7 7 0 1 0 0 9" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/></svg>',
        )}`,
      },
    ],
  ],
  markdown: {
    // The API pages show signatures as ```ts blocks; line numbers would only add noise.
    lineNumbers: false,
  },
  themeConfig: {
    nav,
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
