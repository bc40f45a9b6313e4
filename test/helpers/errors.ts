import type { AllsparkError } from '../../index';

/** The error `fn` throws (fails the test when it does not throw), for exact `code`/`message` checks. */
export function thrown(fn: () => unknown): AllsparkError {
  try {
    fn();
  } catch (err) {
    return err as AllsparkError;
  }
  throw new Error('expected a throw');
}
