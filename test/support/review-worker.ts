import { join } from 'node:path';
import type { ReviewWorkerEntry } from '../../webhook/review-worker';

/** The review worker run from the sources, for tests that start the webhook server in their own process. */
export const SOURCE_REVIEW_WORKER: ReviewWorkerEntry = {
  filename: join(__dirname, '../../webhook/main.ts'),
  execArgv: ['--import', 'tsx'],
};
