// `pnpm --filter @corio/docs run preview`: serves the built site (docs/.vitepress/dist) on
// 127.0.0.1 only, port 4173 (or PORT). VitePress 1.6's own `vitepress preview` listens on every
// interface whatever --host says.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveSite } from './site-server.js';

const dist = fileURLToPath(new URL('dist', import.meta.url));
if (!existsSync(dist)) {
  console.error(`Nothing to serve: ${dist} does not exist. Run pnpm docs:build first.`);
  process.exit(1);
}
const server = await serveSite(dist, Number(process.env.PORT ?? 4173));
console.log(`Built site served at ${server.origin}/ (Ctrl-C to stop)`);
process.once('SIGINT', () => {
  void server.close();
});
