import { describe, expect, it } from 'vitest';
import {
  ConnectionResetError,
  IncompleteReadError,
  LimitOverrunError,
  isConnectionResetError,
  isIncompleteReadError,
  isLimitOverrunError,
} from '@corio/streams';

describe('IncompleteReadError', () => {
  it('carries partial and expected', () => {
    const error = new IncompleteReadError(Buffer.from('ab'), 5);
    expect(error.name).toBe('IncompleteReadError');
    expect(error.partial.toString()).toBe('ab');
    expect(error.expected).toBe(5);
    expect(error.message).toBe('2 bytes read on a total of 5 expected bytes');
    expect(error).toBeInstanceOf(Error);
  });

  it('isIncompleteReadError() recognises it by brand', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('corio.IncompleteReadError')]: true,
    });
    expect(isIncompleteReadError(new IncompleteReadError(Buffer.alloc(0), undefined))).toBe(true);
    expect(isIncompleteReadError(foreign)).toBe(true);
    expect(isIncompleteReadError(new Error('x'))).toBe(false);
    expect(isIncompleteReadError(null)).toBe(false);
  });
});

describe('LimitOverrunError', () => {
  it('carries consumed', () => {
    const error = new LimitOverrunError('too long', 7);
    expect(error.name).toBe('LimitOverrunError');
    expect(error.consumed).toBe(7);
    expect(isLimitOverrunError(error)).toBe(true);
    expect(isLimitOverrunError(new Error('x'))).toBe(false);
  });
});

describe('ConnectionResetError', () => {
  it('has code ECONNRESET and a default message', () => {
    const error = new ConnectionResetError();
    expect(error.name).toBe('ConnectionResetError');
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toBe('Connection lost');
    expect(isConnectionResetError(error)).toBe(true);
    expect(isConnectionResetError(new LimitOverrunError('x', 1))).toBe(false);
  });
});
