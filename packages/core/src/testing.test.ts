import { describe, expect, it } from 'vitest';
import * as core from './index.js';
import * as testing from './testing.js';
import { DeadlockError } from './testing.js';

describe('@corio/core/testing', () => {
  it('exports the virtual clock and its error, which the main entry does not', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'DeadlockError',
      'VirtualClock',
      'withVirtualClock',
    ]);
    for (const name of Object.keys(testing)) expect(Object.keys(core)).not.toContain(name);
  });
});

describe('DeadlockError', () => {
  it('is an Error with a matching name, carrying the virtual time', () => {
    const error = new DeadlockError('stuck', 1_500);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DeadlockError');
    expect(error.now).toBe(1_500);
    expect(String(error)).toBe('DeadlockError: stuck');
  });
});
