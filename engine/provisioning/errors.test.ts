import { CloudError, LocalErrorCode, toCloudError } from '../cloud/errors';
import { InternalError, needsChange, ProvisioningInputError, ResourceGoneError, StepError } from './errors';
import { SanSyncError } from './san-sync';

const C1 = 'c84974f524e2045c87dccadff91a71708';

/** What openapi-core throws for an HTTP error answer, as toCloudError reads it. */
function answer(product: CloudError['product'], action: string, statusCode: number, body: Record<string, unknown>) {
  return toCloudError({ product, action }, { name: 'ClientError', statusCode, data: body });
}

describe('needsChange', () => {
  test.each([
    ['a cluster ACK does not have', answer('ACK', 'DescribeClusterDetail', 404, { code: 'ErrorClusterNotFound' })],
    ['a cluster ASM does not have', answer('ASM', 'AddClusterIntoServiceMesh', 404, { Code: 'Cluster.NotFound' })],
    ['a mesh that does not exist', answer('ASM', 'DescribeServiceMeshDetail', 404, { Code: 'ServiceMesh.NotFound' })],
    ['a vSwitch that does not exist', answer('VPC', 'DescribeVSwitches', 400, { Code: 'InvalidVSwitchId.NotFound' })],
    [
      'a RAM denial',
      answer('PrivateLink', 'CreateVpcEndpoint', 403, {
        Code: 'Forbidden.RAM',
        AccessDeniedDetail: { AuthAction: 'privatelink:CreateVpcEndpoint' },
      }),
    ],
    ['refused credentials', answer('VPC', 'DescribeVpcs', 404, { Code: 'InvalidAccessKeyId.NotFound' })],
    ['a product not activated', answer('PrivateLink', 'CreateVpcEndpoint', 400, { Code: 'NeedOpenProduct' })],
    ['an input no retry fixes', new ProvisioningInputError('service mesh reports no IntranetPilotEndpoint')],
  ])('%s stays until someone changes something', (_, failure) => {
    expect(needsChange(failure)).toBe(true);
    expect(needsChange(new StepError(`read cluster ${C1}`, failure, C1))).toBe(true);
  });

  test.each([
    ['throttling', answer('PrivateLink', 'CreateVpcEndpoint', 400, { Code: 'Throttling.User' })],
    ['a lock', answer('PrivateLink', 'DeleteVpcEndpoint', 400, { Code: 'EndpointLocked' })],
    ['a 5xx', answer('ACK', 'DescribeClusterDetail', 503, { code: 'ServiceUnavailable' })],
    [
      'our own endpoint gone (drift the next run repairs)',
      answer('PrivateLink', 'GetVpcEndpointAttribute', 400, { Code: 'EndpointNotFound' }),
    ],
    [
      'a timeout',
      new CloudError({
        product: 'ACK',
        action: 'DescribeClusterDetail',
        code: LocalErrorCode.readTimeout,
        message: 'no answer',
        retryable: true,
      }),
    ],
    ['a plain error', new Error('socket hang up')],
  ])('%s can clear by itself', (_, failure) => {
    expect(needsChange(failure)).toBe(false);
    expect(needsChange(new StepError(`read cluster ${C1}`, failure, C1))).toBe(false);
  });

  test('a SAN sync is as lasting as what made it fail', () => {
    const denied = answer('ACK', 'UpdateKubernetesCluster', 403, { code: 'StatusForbidden' });
    expect(needsChange(new SanSyncError(C1, 'update the SANs', 'denied', undefined, denied))).toBe(true);
    expect(needsChange(new SanSyncError(C1, 'update the SANs', 'the task did not end in time'))).toBe(false);
  });
});

test('drift and our own bugs are not input errors: a retry (or a fix of ours) clears them, no change of the inputs', () => {
  const gone = new ResourceGoneError('endpoint ep-1 disappeared while we waited for it; the next run recreates it');
  expect(gone).not.toBeInstanceOf(ProvisioningInputError);
  expect(needsChange(gone)).toBe(false);
  expect(needsChange(new StepError(`create the endpoint of ${C1}`, gone, C1))).toBe(false);
  const bug = new InternalError('no endpoint known for endpoint/pilot/c1 when a step needed it');
  expect(bug.message).toBe(
    'internal: no endpoint known for endpoint/pilot/c1 when a step needed it (please report this)',
  );
  expect(needsChange(bug)).toBe(false);
});
