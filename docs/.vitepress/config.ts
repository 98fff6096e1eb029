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
  head: [['meta', { name: 'theme-color', content: '#3c8772' }]],
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
