import type { RecordedFailure } from '../status';
import { PROGRESSING_REQUEUE_MS, resultOf } from './result';

const lasting: RecordedFailure = {
  area: 'discovery',
  clusterId: 'c1',
  reason: 'ErrorClusterNotFound',
  message: 'read cluster c1 failed: no such cluster',
  needsChange: true,
};
const passing: RecordedFailure = {
  area: 'apiserver',
  clusterId: 'c2',
  reason: 'Throttling',
  message: 'create the API-server endpoint of c2 failed: Throttling',
};

test('Available and nothing failed: nothing to come back for before the resync', () => {
  expect(resultOf({ cancelled: false, failures: [], status: 'Available' })).toEqual({});
});

test('on its way (no failure, not Available): come back soon, not after the resync', () => {
  expect(resultOf({ cancelled: false, failures: [], status: 'Provisioning' })).toEqual({
    requeueAfterMs: PROGRESSING_REQUEUE_MS,
  });
  expect(resultOf({ cancelled: false, failures: [], status: 'Provisioning', progressingRequeueMs: 50 })).toEqual({
    requeueAfterMs: 50,
  });
});

test('terminal only when every failure needs a change; one a retry may clear keeps it retryable', () => {
  expect(resultOf({ cancelled: false, failures: [lasting], status: 'Failed' })).toEqual({
    failure: { message: lasting.message, terminal: true },
  });
  expect(resultOf({ cancelled: false, failures: [lasting, passing], status: 'Failed' })).toEqual({
    failure: { message: `${lasting.message}; ${passing.message}`, terminal: false },
  });
});

test('a cancelled run asks for nothing: its caller is going away', () => {
  expect(resultOf({ cancelled: true, failures: [passing], status: 'Provisioning' })).toEqual({});
});
