import { ApiError } from '../errors';

/** The ApiError `run` throws; any other error is rethrown, and no error at all fails the test. */
export function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused with an API error');
}
