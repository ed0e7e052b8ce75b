// The emulator's PrivateLink answers hold only what the official sources have: every response
// field is in the SDK's response model of its action, every error code PrivateLink answers is in the
// published API metadata (privatelink-2020-04-15.json, with where it came from and how to refresh
// it), and the codes every product's gateway answers are in gateway-codes.json.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRODUCTS } from '../products';
import type { RpcProduct } from '../products/product';
import { directCloud, type DirectCloud } from '../testing/direct';
import { twoClusters } from '../testing/worlds';

interface PrivateLinkFacts {
  source: string;
  refresh: string;
  actions: Record<string, { fields: string[]; errorCodes: Record<string, number> }>;
}

const FACTS = JSON.parse(readFileSync(join(__dirname, 'privatelink-2020-04-15.json'), 'utf8')) as PrivateLinkFacts;
const GATEWAY = JSON.parse(readFileSync(join(__dirname, 'gateway-codes.json'), 'utf8')) as {
  codes: Record<string, string>;
};
const EMULATOR = join(__dirname, '..');
const PRIVATELINK = PRODUCTS.find((product) => product.name === 'privatelink') as RpcProduct;

/** Every field path of an answer, as the facts write them: `Endpoints[].Tags[].Key`. */
function fieldPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && typeof item === 'object') fieldPaths(item, `${prefix}[]`, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.add(path);
    fieldPaths(item, path, out);
  }
  return out;
}

const { world, mesh, cluster2, vSwitchIn } = twoClusters();
const REGION = { RegionId: 'cn-hangzhou' };
const [ZONE_J, ZONE_K] = ['cn-hangzhou-j', 'cn-hangzhou-k'];

/**
 * Calls every PrivateLink action the emulator serves, each once with parameters it accepts, in an
 * order that makes each valid (the service and endpoint settle between steps), and keeps each answer.
 */
function answersOfEveryAction(): Map<string, Record<string, unknown>> {
  const cloud: DirectCloud = directCloud(world, { serviceCreateMs: 10, endpointCreateMs: 10, connectMs: 10 });
  const answers = new Map<string, Record<string, unknown>>();
  const call = (action: string, params: Record<string, unknown> = {}) => {
    const body = cloud.rpc('privatelink', action, { ...REGION, ...params });
    answers.set(action, body);
    cloud.advance(5_000);
    return body;
  };
  const lb = cluster2.apiServerLoadBalancerId;
  const consumer = '1999999999999999';

  call('DescribeZones');
  call('DescribeRegions');
  call('CheckProductOpen');
  cloud.cloud.privateLinkOpen.delete(cloud.caller.accountId);
  call('OpenPrivateLinkService');
  const { ServiceId } = call('CreateVpcEndpointService', {
    Resource: [{ ResourceId: lb, ResourceType: 'slb', ZoneId: ZONE_K }],
    Tag: [{ Key: 'asmpvl.io/link', Value: 'apiserver' }],
  });
  call('AttachResourceToVpcEndpointService', { ServiceId, ResourceId: lb, ResourceType: 'slb', ZoneId: ZONE_J });
  call('GetVpcEndpointServiceAttribute', { ServiceId });
  call('ListVpcEndpointServices', { MaxResults: 1 });
  call('ListVpcEndpointServicesByEndUser');
  call('ListVpcEndpointServiceResources', { ServiceId });
  call('UpdateVpcEndpointServiceAttribute', { ServiceId, ConnectBandwidth: 200 });
  call('AddUserToVpcEndpointService', { ServiceId, UserId: consumer });
  call('ListVpcEndpointServiceUsers', { ServiceId });
  call('RemoveUserFromVpcEndpointService', { ServiceId, UserId: consumer });
  const { EndpointId } = call('CreateVpcEndpoint', {
    VpcId: mesh.vpcId,
    ServiceId,
    SecurityGroupId: [mesh.securityGroupId],
    Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_K), ZoneId: ZONE_K }],
    Tag: [{ Key: 'asmpvl.io/link', Value: 'apiserver' }],
  });
  call('GetVpcEndpointAttribute', { EndpointId });
  call('ListVpcEndpoints', { MaxResults: 1 });
  call('AddZoneToVpcEndpoint', { EndpointId, ZoneId: ZONE_J, VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J) });
  call('ListVpcEndpointZones', { EndpointId });
  call('RemoveZoneFromVpcEndpoint', { EndpointId, ZoneId: ZONE_J });
  call('ListVpcEndpointConnections', { ServiceId });
  call('EnableVpcEndpointConnection', { ServiceId, EndpointId });
  call('DisableVpcEndpointConnection', { ServiceId, EndpointId });
  call('TagResources', { ResourceType: 'vpcendpoint', ResourceId: [EndpointId], Tag: [{ Key: 'k', Value: 'v' }] });
  call('ListTagResources', { ResourceType: 'vpcendpoint', ResourceId: [EndpointId] });
  call('UntagResources', { ResourceType: 'vpcendpoint', ResourceId: [EndpointId], TagKey: ['k'] });
  call('DeleteVpcEndpoint', { EndpointId });
  call('DetachResourceFromVpcEndpointService', { ServiceId, ResourceId: lb, ResourceType: 'slb', ZoneId: ZONE_J });
  call('DetachResourceFromVpcEndpointService', { ServiceId, ResourceId: lb, ResourceType: 'slb', ZoneId: ZONE_K });
  call('DeleteVpcEndpointService', { ServiceId });
  return answers;
}

/** The error codes a source file can answer: `new ApiError('Code'`, missingParam and illegalParam. */
function codesIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const codes = [...text.matchAll(/new ApiError\(\s*(['`])([^'`]+)\1/g)].map((match) => match[2]!);
  for (const match of text.matchAll(/\b(missingParam|illegalParam)\(\s*(['`])([^'`]+)\2/g)) {
    codes.push(`${match[1] === 'missingParam' ? 'MissingParam' : 'IllegalParamFormat'}.${match[3]!}`);
  }
  return codes;
}

/** A documented code matches itself; `MissingParam.%s` (the metadata's placeholder) matches any parameter. */
function documented(code: string, known: Iterable<string>): boolean {
  for (const candidate of known) {
    if (candidate === code) return true;
    if (candidate.endsWith('.%s') && code.startsWith(candidate.slice(0, -2))) return true;
  }
  return false;
}

describe('the PrivateLink emulator against the official sources', () => {
  test('the facts say where they came from and how to refresh them', () => {
    expect(FACTS.source).toMatch(/ResponseBody models.*errorCodes/);
    expect(FACTS.refresh).toMatch(/refresh\.ts/);
  });

  test('serves only actions the API has', () => {
    const unknown = Object.keys(PRIVATELINK.actions).filter((action) => !(action in FACTS.actions));
    expect(unknown).toEqual([]);
  });

  test('answers only fields of the SDK response model of each action', () => {
    const answers = answersOfEveryAction();
    expect([...answers.keys()].sort()).toEqual(Object.keys(PRIVATELINK.actions).sort());
    const extra: string[] = [];
    let checked = 0;
    for (const [action, body] of answers) {
      const known = new Set(FACTS.actions[action]!.fields);
      for (const path of fieldPaths(body)) {
        checked += 1;
        if (!known.has(path)) extra.push(`${action}: ${path}`);
      }
    }
    expect(extra).toEqual([]);
    expect(checked).toBeGreaterThan(150);
  });

  test('answers only error codes the API metadata documents for PrivateLink, or gateway codes', () => {
    const folder = join(EMULATOR, 'products', 'privatelink');
    const productCodes = readdirSync(folder)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .flatMap((file) => codesIn(join(folder, file)));
    const gatewayFiles = ['errors.ts', 'params.ts', 'pagination.ts', 'idempotency.ts', 'products/product.ts'];
    const gatewayCodes = gatewayFiles.flatMap((file) => codesIn(join(EMULATOR, file)));
    const documentedCodes = Object.values(FACTS.actions).flatMap((action) => Object.keys(action.errorCodes));
    expect(productCodes.length).toBeGreaterThan(30);
    expect([...new Set(productCodes)].filter((code) => !documented(code, documentedCodes))).toEqual([]);
    expect(
      [...new Set(gatewayCodes)].filter(
        (code) => !documented(code, documentedCodes) && !documented(code, Object.keys(GATEWAY.codes)),
      ),
    ).toEqual([]);
  });
});
