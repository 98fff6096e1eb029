import { describe, expect, it } from 'vitest';
import { VERSION } from '@corio/streams';
import pkg from '../package.json' with { type: 'json' };

describe('VERSION', () => {
  it('matches the package.json version', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
