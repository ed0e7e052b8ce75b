import { checkPolicy, evaluate, type RamPolicy, roaResource, rpcResource } from './ram';

const ARN = 'acs:privatelink:cn-hangzhou:1266581106303084:vpcendpoint/ep-1';

describe('evaluate', () => {
  const policy: RamPolicy = {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: ['privatelink:Get*', 'privatelink:List?pcEndpoints'], Resource: '*' },
      { Effect: 'Allow', Action: 'privatelink:DeleteVpcEndpoint', Resource: 'acs:privatelink:*:*:vpcendpoint/ep-*' },
      { Effect: 'Deny', Action: 'privatelink:GetVpcEndpointServiceAttribute', Resource: '*' },
    ],
  };

  test.each([
    ['privatelink:GetVpcEndpointAttribute', ARN, 'Allow'],
    ['PrivateLink:getvpcendpointattribute', ARN, 'Allow'],
    ['privatelink:ListVpcEndpoints', '*', 'Allow'],
    ['privatelink:DeleteVpcEndpoint', ARN, 'Allow'],
    ['privatelink:DeleteVpcEndpoint', '*', 'ImplicitDeny'],
    ['privatelink:DeleteVpcEndpoint', 'acs:privatelink:cn-hangzhou:1:vpcendpointservice/epsrv-1', 'ImplicitDeny'],
    ['privatelink:GetVpcEndpointServiceAttribute', '*', 'ExplicitDeny'],
    ['privatelink:CreateVpcEndpoint', '*', 'ImplicitDeny'],
    ['cs:DescribeClusterDetail', '*', 'ImplicitDeny'],
  ])('%s on %s: %s', (action, resource, decision) => {
    expect(evaluate(policy, { action, resource })).toBe(decision);
  });

  test('no policy allows everything; an empty one nothing', () => {
    expect(evaluate(undefined, { action: 'cs:ModifyCluster', resource: '*' })).toBe('Allow');
    expect(evaluate({ Statement: [] }, { action: 'cs:ModifyCluster', resource: '*' })).toBe('ImplicitDeny');
  });
});

test('checkPolicy names each malformed statement', () => {
  const broken = {
    Statement: [
      { Effect: 'allow', Action: 'cs:*', Resource: '*' },
      { Effect: 'Deny', Action: 3, Resource: ['*'] },
    ],
  } as unknown as RamPolicy;
  expect(checkPolicy(broken, 'access key K policy')).toEqual([
    'access key K policy.Statement[0].Effect must be Allow or Deny',
    'access key K policy.Statement[1].Action must be a string or a list of strings',
  ]);
});

test('the resource of a call: the id it names, else *', () => {
  const params: Record<string, string> = { ServiceId: 'epsrv-1' };
  expect(rpcResource('privatelink', 'cn-hangzhou', '1', (name) => params[name])).toBe(
    'acs:privatelink:cn-hangzhou:1:vpcendpointservice/epsrv-1',
  );
  expect(rpcResource('privatelink', 'cn-hangzhou', '1', () => undefined)).toBe('*');
  expect(roaResource('cn-hangzhou', '1', ['c84974f524e2045c87dccadff91a71708'])).toBe(
    'acs:cs:cn-hangzhou:1:cluster/c84974f524e2045c87dccadff91a71708',
  );
  expect(roaResource('cn-hangzhou', '1', ['T-0000'])).toBe('*');
});
