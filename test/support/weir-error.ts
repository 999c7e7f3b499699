/** The WeirError a call throws (a test fails when it throws nothing, or something else). */
import { WeirError } from '../../src/common/errors.js';

export function weirErrorOf(f: () => unknown): WeirError {
  try {
    f();
  } catch (e) {
    if (e instanceof WeirError) return e;
    throw e;
  }
  throw new Error('expected a WeirError');
}
