import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // The first alias that matches wins: a subpath before its package.
    alias: {
      '@corio/core/testing': fileURLToPath(
        new URL('./packages/core/src/testing.ts', import.meta.url),
      ),
      '@corio/core': src('core'),
      '@corio/streams': src('streams'),
      '@corio/executor': src('executor'),
      '@corio/redis': src('redis'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/**/*.test.ts',
      'bench/**/*.test.ts',
      'docs/test/**/*.test.ts',
    ],
    setupFiles: ['packages/core/test/setup.ts', 'packages/executor/test/setup.ts'],
    retry: 0,
    testTimeout: 20_000,
    pool: 'forks',
  },
});
