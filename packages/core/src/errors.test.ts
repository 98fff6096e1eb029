import { describe, expect, it } from 'vitest';
import {
  BrokenBarrierError,
  CancelledError,
  InvalidStateError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  TaskGroupError,
  TimeoutError,
  isCancelledError,
  isTimeoutError,
} from './index.js';

const errorClasses = [
  ['CancelledError', CancelledError],
  ['TimeoutError', TimeoutError],
  ['InvalidStateError', InvalidStateError],
  ['QueueEmpty', QueueEmpty],
  ['QueueFull', QueueFull],
  ['QueueShutDown', QueueShutDown],
  ['BrokenBarrierError', BrokenBarrierError],
] as const;

/** Builds an error class as a second, independent copy of corio would: same brand, new class. */
function foreignErrorClass(brand: string): new (message?: string) => Error {
  class Foreign extends Error {}
  Object.defineProperty(Foreign.prototype, Symbol.for(brand), { value: true });
  return Foreign;
}

describe('error classes', () => {
  it.each(errorClasses)('%s is an Error with a matching name', (name, ErrorClass) => {
    const error = new ErrorClass('boom');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.name).toBe(name);
    expect(error.message).toBe('boom');
    expect(String(error)).toBe(`${name}: boom`);
  });

  it.each(errorClasses)('%s keeps its name on a subclass instance', (name, ErrorClass) => {
    const Sub = class extends (ErrorClass as typeof Error) {};
    expect(new Sub().name).toBe(name);
  });

  it.each(errorClasses)('%s accepts a cause', (_name, ErrorClass) => {
    const cause = new Error('root');
    expect(new ErrorClass('x', { cause }).cause).toBe(cause);
  });
});

describe('CancelledError', () => {
  it('carries the cancellation message', () => {
    expect(new CancelledError('shutting down').message).toBe('shutting down');
  });

  it('has an empty message by default', () => {
    expect(new CancelledError().message).toBe('');
  });

  it('is not a TimeoutError', () => {
    const error = new CancelledError();
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect(isTimeoutError(error)).toBe(false);
  });
});

describe('TimeoutError', () => {
  it('has a default message', () => {
    expect(new TimeoutError().message).toBe('The operation timed out');
  });

  it('carries the CancelledError that interrupted the work as its cause', () => {
    const cancelled = new CancelledError();
    const error = new TimeoutError(undefined, { cause: cancelled });
    expect(error.cause).toBe(cancelled);
  });

  it('is not a CancelledError', () => {
    const error = new TimeoutError();
    expect(error).not.toBeInstanceOf(CancelledError);
    expect(isCancelledError(error)).toBe(false);
  });
});

describe('TaskGroupError', () => {
  it('is an AggregateError holding the errors', () => {
    const errors = [new Error('a'), new Error('b')];
    const error = new TaskGroupError(errors, 'two failures');
    expect(error).toBeInstanceOf(AggregateError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TaskGroupError');
    expect(error.message).toBe('two failures');
    expect(error.errors).toEqual(errors);
  });
});

describe('isCancelledError', () => {
  it('recognises a CancelledError and its subclasses', () => {
    class MyCancel extends CancelledError {}
    expect(isCancelledError(new CancelledError())).toBe(true);
    expect(isCancelledError(new MyCancel())).toBe(true);
  });

  it('recognises a CancelledError from a second copy of corio by its brand', () => {
    const Foreign = foreignErrorClass('corio.CancelledError');
    const error = new Foreign('from elsewhere');
    expect(error).not.toBeInstanceOf(CancelledError);
    expect(isCancelledError(error)).toBe(true);
  });

  it('rejects other values', () => {
    for (const value of [
      new Error('CancelledError'),
      new TimeoutError(),
      Object.assign(new Error('x'), { name: 'CancelledError' }),
      { [Symbol.for('corio.CancelledError')]: 'yes' },
      null,
      undefined,
      'CancelledError',
      42,
    ]) {
      expect(isCancelledError(value)).toBe(false);
    }
  });
});

describe('isTimeoutError', () => {
  it('recognises a TimeoutError', () => {
    expect(isTimeoutError(new TimeoutError())).toBe(true);
  });

  it('recognises a TimeoutError from a second copy of corio by its brand', () => {
    const Foreign = foreignErrorClass('corio.TimeoutError');
    expect(isTimeoutError(new Foreign())).toBe(true);
  });

  it('rejects other values, including a DOMException named TimeoutError', () => {
    for (const value of [
      new CancelledError(),
      new DOMException('late', 'TimeoutError'),
      Object.assign(new Error('x'), { name: 'TimeoutError' }),
      null,
      undefined,
      'TimeoutError',
    ]) {
      expect(isTimeoutError(value)).toBe(false);
    }
  });
});
