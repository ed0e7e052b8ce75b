// The emulator's PrivateLink against how the Terraform provider drives the real one
// (terraform-privatelink.json): every wait Terraform makes ends in a state it waits for, every
// "gone" is a code it takes for gone, every busy code the handlers can answer is one it retries, and
// asmpvl's own retry rules agree with Terraform's on each of those codes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRetryableAnswer } from '../../../engine/cloud/errors';
import type { ApiError } from '../errors';
import { directCloud } from '../testing/direct';
import { twoClusters } from '../testing/worlds';

interface TerraformFacts {
  retryCodes: Record<string, string[]>;
  permanentCodes: string[];
  notFoundCodes: string[];
  waits: Record<string, { read: string; target: string[] }>;
}

const TERRAFORM = JSON.parse(readFileSync(join(__dirname, 'terraform-privatelink.json'), 'utf8')) as TerraformFacts;
const PRIVATELINK_HANDLERS = join(__dirname, '..', 'products', 'privatelink');
const REGION = { RegionId: 'cn-hangzhou' };
const [ZONE_J, ZONE_K] = ['cn-hangzhou-j', 'cn-hangzhou-k'];
const DELAYS = { serviceCreateMs: 100, endpointCreateMs: 100, zoneCreateMs: 100, connectMs: 100, disconnectMs: 100 };

function failure(call: () => unknown): ApiError {
  try {
    call();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('the call succeeded');
}

test('a resource driven as Terraform drives it ends each wait in a state Terraform waits for, and each delete in a code it takes for gone', () => {
  const { world, mesh, cluster2, vSwitchIn } = twoClusters();
  const cloud = directCloud(world, DELAYS);
  const call = (action: string, params: Record<string, unknown> = {}) =>
    cloud.rpc('privatelink', action, { ...REGION, ...params });
  const settle = () => cloud.advance(1_000);
  const target = (action: string) => TERRAFORM.waits[action]!.target;
  const lb = cluster2.apiServerLoadBalancerId;

  const { ServiceId } = call('CreateVpcEndpointService', {
    Resource: [
      { ResourceId: lb, ResourceType: 'slb', ZoneId: ZONE_K },
      { ResourceId: lb, ResourceType: 'slb', ZoneId: ZONE_J },
    ],
  });
  settle();
  expect(target('CreateVpcEndpointService')).toContain(
    call('GetVpcEndpointServiceAttribute', { ServiceId }).ServiceStatus,
  );

  const { EndpointId } = call('CreateVpcEndpoint', {
    VpcId: mesh.vpcId,
    ServiceId,
    SecurityGroupId: [mesh.securityGroupId],
    Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_K), ZoneId: ZONE_K }],
  });
  settle();
  expect(target('CreateVpcEndpoint')).toContain(call('GetVpcEndpointAttribute', { EndpointId }).EndpointStatus);

  call('AddZoneToVpcEndpoint', { EndpointId, ZoneId: ZONE_J, VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J) });
  settle();
  const zones = call('ListVpcEndpointZones', { EndpointId }).Zones as Array<{ ZoneStatus: string }>;
  for (const zone of zones) expect(target('AddZoneToVpcEndpoint')).toContain(zone.ZoneStatus);

  const connection = () =>
    (call('ListVpcEndpointConnections', { ServiceId }).Connections as Array<{ ConnectionStatus: string }>)[0]!
      .ConnectionStatus;
  call('EnableVpcEndpointConnection', { ServiceId, EndpointId });
  settle();
  expect(target('EnableVpcEndpointConnection')).toContain(connection());
  call('DisableVpcEndpointConnection', { ServiceId, EndpointId });
  settle();
  expect(target('DisableVpcEndpointConnection')).toContain(connection());

  // A zone that is not there: Terraform's delete of it is a success.
  call('RemoveZoneFromVpcEndpoint', { EndpointId, ZoneId: ZONE_J });
  settle();
  const zoneGone = failure(() => call('RemoveZoneFromVpcEndpoint', { EndpointId, ZoneId: ZONE_J }));
  expect(TERRAFORM.notFoundCodes).toContain(zoneGone.code);

  call('DeleteVpcEndpoint', { EndpointId });
  settle();
  expect(TERRAFORM.notFoundCodes).toContain(failure(() => call('GetVpcEndpointAttribute', { EndpointId })).code);
  for (const zoneId of [ZONE_K, ZONE_J]) {
    call('DetachResourceFromVpcEndpointService', { ServiceId, ResourceId: lb, ResourceType: 'slb', ZoneId: zoneId });
    settle();
  }
  call('DeleteVpcEndpointService', { ServiceId });
  settle();
  expect(TERRAFORM.notFoundCodes).toContain(failure(() => call('GetVpcEndpointServiceAttribute', { ServiceId })).code);
});

test('every busy or refusing code the PrivateLink handlers can answer is one Terraform retries or treats as final', () => {
  const known = new Set([...Object.values(TERRAFORM.retryCodes).flat(), ...TERRAFORM.permanentCodes]);
  const busy = /Locked|OperationDenied|Dependence|IncorrectStatus|Concurrent|Idempotence|SystemBusy/;
  const answered = readdirSync(PRIVATELINK_HANDLERS)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .flatMap((file) =>
      [...readFileSync(join(PRIVATELINK_HANDLERS, file), 'utf8').matchAll(/new ApiError\(\s*'([^']+)'/g)].map(
        (match) => match[1]!,
      ),
    )
    .filter((code) => busy.test(code));
  expect(answered.length).toBeGreaterThan(0);
  expect([...new Set(answered)].filter((code) => !known.has(code))).toEqual([]);
});

test('asmpvl retries exactly what Terraform retries, on the actions it retries them on', () => {
  const disagreements: string[] = [];
  for (const [action, codes] of Object.entries(TERRAFORM.retryCodes)) {
    const on = action === '*' ? 'CreateVpcEndpoint' : action;
    for (const code of codes) if (!isRetryableAnswer(on, code, 400)) disagreements.push(`${on} ${code}: not retried`);
  }
  for (const code of TERRAFORM.permanentCodes) {
    if (isRetryableAnswer('DeleteVpcEndpointService', code, 400)) disagreements.push(`${code}: retried`);
  }
  // Retried only while tearing down: a create that meets it is not retried.
  if (isRetryableAnswer('CreateVpcEndpointService', 'EndpointServiceConnectionDependence', 400))
    disagreements.push('EndpointServiceConnectionDependence: retried outside a delete or detach');
  expect(disagreements).toEqual([]);
});
