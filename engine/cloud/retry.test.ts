import { CloudError } from './errors';
import type { CloudCallEvent } from './index';
import {
  backoffDelayMs,
  CallRunner,
  type CallDescriptor,
  defaultRetryPolicy,
  maxThrottledAttempts,
  type RetryPolicy,
  shouldRetry,
} from './retry';
import type { AttemptOutcome, CallPacing } from './pacing';
import { cloudAt } from './testkit/cloud-at';
import { fakeClock } from '../testing/fake-clock';
import { type CannedReply, type RecordingServer, startRecordingServer } from './testkit/recording-server';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 5_000, maxElapsedMs: 20_000 };
const read: CallDescriptor = {
  product: 'PrivateLink',
  action: 'GetVpcEndpointAttribute',
  mutating: false,
  idempotent: true,
};
const addCluster: CallDescriptor = {
  product: 'ASM',
  action: 'AddClusterIntoServiceMesh',
  mutating: true,
  idempotent: false,
};

function cloudError(fields: Partial<ConstructorParameters<typeof CloudError>[0]> = {}): CloudError {
  return new CloudError({
    product: 'PrivateLink',
    action: 'X',
    code: 'Throttling',
    message: 'm',
    retryable: true,
    ...fields,
  });
}

describe('backoff: exponential with full jitter', () => {
  it('draws uniformly below a ceiling that doubles up to maxDelayMs', () => {
    const ceilings = [1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, policy, () => 0.999999));
    expect(ceilings).toEqual([999, 1999, 3999, 4999, 4999]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(1000);
  });
});

describe('shouldRetry', () => {
  it('retries a retryable error within both bounds', () => {
    expect(shouldRetry(read, cloudError(), 1, 1_000, policy)).toBe(true);
  });
  it('never retries what is not retryable (any other 4xx)', () => {
    expect(shouldRetry(read, cloudError({ code: 'EndpointNotFound', retryable: false }), 1, 0, policy)).toBe(false);
  });
  it('stops at maxAttempts', () => {
    expect(shouldRetry(read, cloudError(), 4, 0, policy)).toBe(false);
  });
  it('stops when the next attempt would start after maxElapsedMs', () => {
    expect(shouldRetry(read, cloudError(), 1, 20_001, policy)).toBe(false);
  });
  it('retries a write without a ClientToken only when the cloud surely did not act', () => {
    expect(shouldRetry(addCluster, cloudError({ code: 'ReadTimeout' }), 1, 0, policy)).toBe(false);
    expect(shouldRetry(addCluster, cloudError({ code: 'ServiceUnavailable', httpStatus: 503 }), 1, 0, policy)).toBe(
      false,
    );
    expect(shouldRetry(addCluster, cloudError({ code: 'NetworkError', notSent: true }), 1, 0, policy)).toBe(true);
    expect(shouldRetry(addCluster, cloudError({ code: 'Throttling.User' }), 1, 0, policy)).toBe(true);
  });
});

describe('CallRunner', () => {
  it('retries until success, waits the backoff, and reports every attempt', async () => {
    const clock = fakeClock(0.5);
    const events: CloudCallEvent[] = [];
    const runner = new CallRunner({ retry: policy, clock, onCall: (event) => events.push(event) });
    let calls = 0;
    const result = await runner.run(read, async () => {
      calls++;
      if (calls < 3) throw cloudError({ requestId: `R-${calls}` });
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(clock.sleeps).toEqual([500, 1000]);
    expect(
      events.map(({ attempt, error, retryInMs, requestId }) => ({ attempt, code: error?.code, retryInMs, requestId })),
    ).toEqual([
      { attempt: 1, code: 'Throttling', retryInMs: 500, requestId: 'R-1' },
      { attempt: 2, code: 'Throttling', retryInMs: 1000, requestId: 'R-2' },
      { attempt: 3, code: undefined, retryInMs: undefined, requestId: undefined },
    ]);
    expect(
      events.every(
        (event) => event.product === 'PrivateLink' && event.action === 'GetVpcEndpointAttribute' && !event.mutating,
      ),
    ).toBe(true);
  });

  it('gives up after maxAttempts and says how many were made', async () => {
    const runner = new CallRunner({ retry: policy, clock: fakeClock() });
    const attempt = jest.fn(async () => {
      throw cloudError();
    });
    await expect(runner.run(read, attempt)).rejects.toMatchObject({ code: 'Throttling', attempts: 4 });
    expect(attempt).toHaveBeenCalledTimes(4);
  });

  it('gives up when the total time is spent', async () => {
    const runner = new CallRunner({
      retry: { ...policy, maxAttempts: 100, maxElapsedMs: 3_000 },
      clock: fakeClock(0.999),
    });
    const attempt = jest.fn(async () => {
      throw cloudError();
    });
    await expect(runner.run(read, attempt)).rejects.toMatchObject({ code: 'Throttling' });
    // waits of 999 + 1998 ms fit in 3 s; the next (3996) would not
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it('waits at least what a throttled answer asks, within maxDelayMs', async () => {
    const clock = fakeClock(0);
    const runner = new CallRunner({ retry: policy, clock });
    let calls = 0;
    await runner.run(read, async () => {
      calls++;
      if (calls === 1) throw cloudError({ cause: { retryAfter: 2_500 } });
      if (calls === 2) throw cloudError({ cause: { retryAfter: 60_000 } });
      return 'ok';
    });
    expect(clock.sleeps).toEqual([2_500, 5_000]);
  });

  it('stops waiting and fails with RequestCancelled when the signal aborts', async () => {
    const controller = new AbortController();
    const runner = new CallRunner({ retry: policy, clock: fakeClock(), signal: controller.signal });
    const attempt = jest.fn(async () => {
      controller.abort();
      throw cloudError();
    });
    await expect(runner.run(read, attempt)).rejects.toMatchObject({ code: 'RequestCancelled', retryable: false });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('keeps going when the hook throws', async () => {
    const runner = new CallRunner({
      retry: policy,
      clock: fakeClock(),
      onCall: () => {
        throw new Error('broken progress bar');
      },
    });
    await expect(runner.run(read, async () => 'ok')).resolves.toBe('ok');
  });

  it('has bounded defaults', () => {
    expect(defaultRetryPolicy).toEqual({
      maxAttempts: 6,
      baseDelayMs: 1_000,
      maxDelayMs: 10_000,
      maxElapsedMs: 60_000,
    });
  });
});

describe('CallRunner with pacing', () => {
  /** Grants every turn at once and records what was asked and how each attempt ended. */
  function recordingPacing(): CallPacing & { log: string[] } {
    const log: string[] = [];
    return {
      log,
      turn: async (action, options) => {
        log.push(`${options?.retry ? 'retry' : 'turn'} ${action}`);
        return { finish: (outcome: AttemptOutcome) => void log.push(outcome) };
      },
    };
  }

  it('asks for a turn before every attempt; a throttled attempt goes back in line without a backoff', async () => {
    const clock = fakeClock();
    const pacing = recordingPacing();
    const events: CloudCallEvent[] = [];
    const runner = new CallRunner({ retry: policy, clock, pacing, onCall: (event) => events.push(event) });
    let calls = 0;
    // A create without ClientToken: retried only because the throttled attempts were not performed.
    const result = await runner.run(addCluster, async () => {
      calls++;
      if (calls < 3) throw cloudError({ code: 'Throttling.User' });
      return 'added';
    });
    expect(result).toBe('added');
    expect(clock.sleeps).toEqual([]);
    expect(pacing.log).toEqual([
      'turn AddClusterIntoServiceMesh',
      'throttled',
      'retry AddClusterIntoServiceMesh',
      'throttled',
      'retry AddClusterIntoServiceMesh',
      'ok',
    ]);
    expect(events.map((event) => event.retryInMs)).toEqual([0, 0, undefined]);
  });

  it('other failures keep their backoff and bounds, and each attempt frees its turn', async () => {
    const clock = fakeClock();
    const pacing = recordingPacing();
    const runner = new CallRunner({ retry: policy, clock, pacing });
    await expect(
      runner.run(read, async () => {
        throw cloudError({ code: 'ServiceUnavailable' });
      }),
    ).rejects.toMatchObject({ code: 'ServiceUnavailable', attempts: 4 });
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
    expect(pacing.log.filter((line) => line === 'failed')).toHaveLength(4);
  });

  it('a call throttled every time fails after maxThrottledAttempts, with the throttling error', async () => {
    const pacing = recordingPacing();
    const runner = new CallRunner({ retry: policy, clock: fakeClock(), pacing });
    const attempt = jest.fn(async () => {
      throw cloudError({ code: 'Throttling.User' });
    });
    await expect(runner.run(read, attempt)).rejects.toMatchObject({
      code: 'Throttling.User',
      attempts: maxThrottledAttempts,
    });
    expect(attempt).toHaveBeenCalledTimes(maxThrottledAttempts);
  });

  it('a wait for a turn that is cancelled ends the call as cancelled', async () => {
    const controller = new AbortController();
    const pacing: CallPacing = {
      turn: (_action, options) =>
        new Promise((_resolve, reject) =>
          options?.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        ),
    };
    const runner = new CallRunner({ retry: policy, clock: fakeClock(), pacing, signal: controller.signal });
    const attempt = jest.fn(async () => 'never');
    const running = runner.run(read, attempt);
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'RequestCancelled' });
    expect(attempt).not.toHaveBeenCalled();
  });
});

describe('retries through the real SDK against a local server', () => {
  let server: RecordingServer;
  let script: CannedReply[] = [];
  const ok = { body: { RequestId: 'R-ok', EndpointId: 'ep-1', EndpointStatus: 'Creating' } };

  beforeAll(async () => {
    server = await startRecordingServer((_request, index) => script[index] ?? ok);
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
  });

  const create = {
    vpcId: 'vpc-1',
    serviceId: 'epsrv-1',
    securityGroupIds: ['sg-1'],
    zones: [{ zoneId: 'cn-hangzhou-j', vSwitchId: 'vsw-1' }],
  };

  it('retries throttling and 5xx with the same ClientToken, then succeeds', async () => {
    script = [
      {
        status: 400,
        body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.', RequestId: 'R-1' },
      },
      {
        status: 503,
        body: {
          Code: 'ServiceUnavailable',
          Message: 'The request has failed due to a temporary failure of the server.',
          RequestId: 'R-2',
        },
      },
      {
        status: 400,
        body: { Code: 'EndpointServiceLocked', Message: 'The endpoint service is locked.', RequestId: 'R-3' },
      },
    ];
    const clock = fakeClock(0.5);
    const events: CloudCallEvent[] = [];
    const cloud = cloudAt(server.url, { clock, onCall: (event) => events.push(event) });
    const endpoint = await cloud.privateLink.endpoints.createVpcEndpoint(create);
    expect(endpoint.endpointId).toBe('ep-1');
    expect(server.requests).toHaveLength(4);
    const tokens = new Set(server.requests.map((request) => request.query.ClientToken));
    expect(tokens.size).toBe(1);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
    expect(events.map((event) => [event.attempt, event.error?.code, event.requestId])).toEqual([
      [1, 'Throttling.User', 'R-1'],
      [2, 'ServiceUnavailable', 'R-2'],
      [3, 'EndpointServiceLocked', 'R-3'],
      [4, undefined, 'R-ok'],
    ]);
  });

  it('does not retry another 4xx', async () => {
    script = [
      {
        status: 400,
        body: {
          Code: 'EndpointServiceNotFound',
          Message: 'The specified endpoint service does not exist.',
          RequestId: 'R-1',
        },
      },
    ];
    const cloud = cloudAt(server.url);
    await expect(cloud.privateLink.endpoints.createVpcEndpoint(create)).rejects.toMatchObject({
      code: 'EndpointServiceNotFound',
      httpStatus: 400,
      requestId: 'R-1',
      retryable: false,
      attempts: 1,
      resourceId: 'epsrv-1',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a create whose answer was lost with the same ClientToken', async () => {
    script = [{ destroy: true }];
    const cloud = cloudAt(server.url);
    await cloud.privateLink.endpoints.createVpcEndpoint({ ...create, clientToken: 'asmpvl-c0123-pilot-endpoint' });
    expect(server.requests.map((request) => request.query.ClientToken)).toEqual([
      'asmpvl-c0123-pilot-endpoint',
      'asmpvl-c0123-pilot-endpoint',
    ]);
  });

  it('times out a slow answer and retries it', async () => {
    script = [{ delayMs: 1_000, body: ok.body }];
    const events: CloudCallEvent[] = [];
    const slow = cloudAt(server.url, {
      timeouts: { connectMs: 1_000, readMs: 150 },
      onCall: (event) => events.push(event),
    });
    await slow.privateLink.endpoints.getVpcEndpointAttribute('ep-1');
    expect(events.map((event) => event.error?.code)).toEqual(['ReadTimeout', undefined]);
  });

  it('gives up on a refused connection after the bounded attempts', async () => {
    const cloud = cloudAt('http://127.0.0.1:1', { retry: { maxAttempts: 3 } });
    await expect(cloud.privateLink.account.checkProductOpen()).rejects.toMatchObject({
      code: 'NetworkError',
      attempts: 3,
      notSent: true,
    });
  });
});
