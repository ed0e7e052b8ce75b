import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import { CloudError, isRetryableAnswer, toCloudError } from './errors';
import { CredentialsUnavailableError } from './settings';

const subject = { product: 'PrivateLink' as const, action: 'CreateVpcEndpoint', resourceId: 'epsrv-1' };

describe('which answers are retried', () => {
  it.each([
    ['Throttling', 400],
    ['Throttling.User', 400],
    ['Rejected.Throttling', 400],
    ['ServiceUnavailable', 503],
    ['SystemBusy', 400],
    ['EndpointLocked', 400],
    ['EndpointServiceLocked', 400],
    ['ConcurrentCallNotSupported', 400],
    ['EndpointOperationDenied', 400],
    ['EndpointServiceOperationDenied', 400],
    ['EndpointConnectionOperationDenied', 400],
    ['IdempotenceProcessing', 400],
    ['InternalError', 500],
    ['UnknownError', 502],
  ])('%s (HTTP %i) is retried', (code, status) => {
    expect(isRetryableAnswer('CreateVpcEndpoint', code, status)).toBe(true);
  });

  it.each([
    ['EndpointServiceNotFound', 400],
    ['IncorrectStatus.VpcEndpointService', 400],
    ['InvalidAccessKeyId.NotFound', 404],
    ['SignatureDoesNotMatch', 400],
    ['Forbidden.RAM', 403],
    ['IdempotentParameterMismatch', 400],
    ['ErrorClusterNotFound', 404],
  ])('%s (HTTP %i) is not', (code, status) => {
    expect(isRetryableAnswer('CreateVpcEndpoint', code, status)).toBe(false);
  });

  it('retries EndpointServiceConnectionDependence only while deleting or detaching', () => {
    expect(isRetryableAnswer('DeleteVpcEndpointService', 'EndpointServiceConnectionDependence', 400)).toBe(true);
    expect(isRetryableAnswer('DetachResourceFromVpcEndpointService', 'EndpointServiceConnectionDependence', 400)).toBe(
      true,
    );
    expect(isRetryableAnswer('UpdateVpcEndpointServiceAttribute', 'EndpointServiceConnectionDependence', 400)).toBe(
      false,
    );
  });
});

describe('what the SDK throws becomes a CloudError', () => {
  it('maps a ClientError from its body', () => {
    const thrown = new ClientError({
      statusCode: 400,
      code: 'EndpointServiceNotFound',
      message: 'code: 400, The specified endpoint service does not exist. request id: R-1',
      requestId: 'R-1',
      data: {
        Code: 'EndpointServiceNotFound',
        Message: 'The specified endpoint service does not exist.',
        RequestId: 'R-1',
        Recommend: 'https://api.aliyun.example/troubleshoot?q=EndpointServiceNotFound',
      },
    });
    const error = toCloudError(subject, thrown);
    expect(error.fields()).toEqual({
      product: 'PrivateLink',
      action: 'CreateVpcEndpoint',
      resourceId: 'epsrv-1',
      code: 'EndpointServiceNotFound',
      message: 'The specified endpoint service does not exist.',
      requestId: 'R-1',
      httpStatus: 400,
      retryable: false,
      attempts: 1,
      recommend: 'https://api.aliyun.example/troubleshoot?q=EndpointServiceNotFound',
      notSent: false,
      cause: thrown,
    });
    expect(error.notFound).toBe(true);
  });

  it('maps a ThrottlingError and a ServerError as retryable', () => {
    const throttled = toCloudError(
      subject,
      new ThrottlingError({
        statusCode: 400,
        code: 'Throttling.User',
        message: 'x',
        data: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' },
      }),
    );
    const busy = toCloudError(
      subject,
      new ServerError({
        statusCode: 503,
        code: 'ServiceUnavailable',
        message: 'x',
        data: { Code: 'ServiceUnavailable', Message: 'busy' },
      }),
    );
    expect([throttled.code, throttled.retryable, busy.code, busy.retryable]).toEqual([
      'Throttling.User',
      true,
      'ServiceUnavailable',
      true,
    ]);
  });

  it('maps an HTTP error with no code in the body by its status', () => {
    const error = toCloudError(
      subject,
      new ServerError({
        statusCode: 502,
        code: 'undefined',
        message: 'code: 502, undefined request id: undefined',
        data: {},
        requestId: 'undefined',
      }),
    );
    expect([error.code, error.requestId, error.retryable]).toEqual(['HTTP502', undefined, true]);
  });

  it('maps network failures, telling whether the request was sent', () => {
    const refused = toCloudError(
      subject,
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    );
    const reset = toCloudError(subject, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect([refused.code, refused.retryable, refused.notSent]).toEqual(['NetworkError', true, true]);
    expect([reset.code, reset.retryable, reset.notSent]).toEqual(['NetworkError', true, false]);
  });

  it('maps httpx timeouts to ConnectTimeout and ReadTimeout', () => {
    const connect = Object.assign(new Error('ConnectTimeout: Connect http://127.0.0.1:1/ failed.'), {
      name: 'RequestTimeoutError',
    });
    const read = Object.assign(new Error('ReadTimeout(100). POST http://127.0.0.1:1/ failed.'), {
      name: 'RequestTimeoutError',
    });
    expect([toCloudError(subject, connect).code, toCloudError(subject, connect).notSent]).toEqual([
      'ConnectTimeout',
      true,
    ]);
    expect([
      toCloudError(subject, read).code,
      toCloudError(subject, read).notSent,
      toCloudError(subject, read).retryable,
    ]).toEqual(['ReadTimeout', false, true]);
  });

  it('maps a body that is not JSON to a retryable InvalidResponse', () => {
    const error = toCloudError(subject, new SyntaxError('Unexpected token < in JSON at position 0'));
    expect([error.code, error.retryable]).toEqual(['InvalidResponse', true]);
  });

  it('maps a failed credential chain to CredentialsUnavailable', () => {
    const error = toCloudError(
      subject,
      new CredentialsUnavailableError(
        'no credentials: unable to get credentials from any of the providers in the chain',
      ),
    );
    expect([error.code, error.retryable]).toEqual(['CredentialsUnavailable', false]);
  });

  it('passes a CloudError through unchanged', () => {
    const error = new CloudError({ ...subject, code: 'X', message: 'y', retryable: false });
    expect(toCloudError(subject, error)).toBe(error);
  });
});

describe('toString says what failed, with what, and what to do', () => {
  it.each([
    [
      {
        code: 'Throttling.User',
        message: 'Request was denied due to user flow control.',
        httpStatus: 400,
        requestId: 'R-1',
        retryable: true,
        attempts: 6,
      },
      'PrivateLink CreateVpcEndpoint for epsrv-1 failed: Throttling.User (HTTP 400, request id R-1, after 6 attempts): Request was denied due to user flow control. Next: the cloud is busy or the resource is locked by another operation; wait a minute and run again.',
    ],
    [
      { code: 'NeedOpenProduct', message: 'PrivateLink is not activated.', httpStatus: 400, retryable: false },
      'PrivateLink CreateVpcEndpoint for epsrv-1 failed: NeedOpenProduct (HTTP 400): PrivateLink is not activated. Next: activate PrivateLink for this account (OpenPrivateLinkService, or the PrivateLink console) and run again.',
    ],
    [
      {
        code: 'Forbidden.RAM',
        message: 'User not authorized to operate on the specified resource.',
        httpStatus: 403,
        retryable: false,
      },
      'RAM denied privatelink:CreateVpcEndpoint (PrivateLink CreateVpcEndpoint for epsrv-1; Forbidden.RAM, HTTP 403): the credentials\' RAM policy does not allow it. Next: add {"Effect": "Allow", "Action": "privatelink:CreateVpcEndpoint", "Resource": "*"} to the RAM policy of this user or role (kubectl asmpvl policy prints the whole policy), then run again.',
    ],
    [
      {
        code: 'InvalidAccessKeyId.NotFound',
        message: 'Specified access key is not found.',
        httpStatus: 404,
        retryable: false,
      },
      'PrivateLink CreateVpcEndpoint for epsrv-1 failed: InvalidAccessKeyId.NotFound (HTTP 404): Specified access key is not found. Next: check the AccessKey id (ALIBABA_CLOUD_ACCESS_KEY_ID, or the profile chosen with --profile / ALIBABA_CLOUD_PROFILE).',
    ],
    [
      {
        code: 'NetworkError',
        message: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:18080',
        retryable: true,
        attempts: 3,
      },
      'PrivateLink CreateVpcEndpoint for epsrv-1 failed: NetworkError (after 3 attempts): ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:18080 Next: check network access to the cloud API endpoint (with --cloud-endpoint / ASMPVL_CLOUD_ENDPOINT, that something listens there) and run again.',
    ],
  ])('%#', (fields, expected) => {
    expect(new CloudError({ ...subject, ...fields }).toString()).toBe(expected);
  });
});

describe('RAM denials', () => {
  const sdkError = (statusCode: number, data: Record<string, unknown>) =>
    Object.assign(new Error('denied'), { statusCode, code: data.Code ?? data.code, data });

  test('the RPC gateway: Forbidden.RAM names the denied action in AccessDeniedDetail.AuthAction', () => {
    const error = toCloudError(
      { product: 'PrivateLink', action: 'CreateVpcEndpoint' },
      sdkError(403, {
        Code: 'Forbidden.RAM',
        Message: "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
        RequestId: 'R-1',
        AccessDeniedDetail: { AuthAction: 'privatelink:CreateVpcEndpoint', NoPermissionType: 'ImplicitDeny' },
      }),
    );
    expect(error).toMatchObject({
      permissionDenied: true,
      ramAction: 'privatelink:CreateVpcEndpoint',
      requestId: 'R-1',
      retryable: false,
    });
  });

  test("ACK: the action is read from the message 'RAM policy Forbidden for action cs:...'", () => {
    const error = toCloudError(
      { product: 'ACK', action: 'ModifyCluster', resourceId: 'c1' },
      sdkError(403, { code: 'StatusForbidden', message: 'RAM policy Forbidden for action cs:ModifyCluster' }),
    );
    expect(error).toMatchObject({ permissionDenied: true, ramAction: 'cs:ModifyCluster' });
  });

  test('a 403 that is a not-found (Forbidden.VpcNotFound) is not a permission error', () => {
    const error = toCloudError(
      { product: 'VPC', action: 'DescribeVSwitchAttributes' },
      sdkError(403, { Code: 'Forbidden.VpcNotFound', Message: 'no such VPC' }),
    );
    expect(error.permissionDenied).toBe(false);
    expect(error.notFound).toBe(true);
  });
});
