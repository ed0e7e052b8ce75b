// RAM permissions against the emulator, through the real SDKs and signing: the least-privilege
// policy from the catalogue allows every call asmpvl makes, and taking any one action out of it
// makes exactly that call fail with a permission error naming it — the policy is sufficient and
// each line of it is needed by some call. Doctor's probes change nothing.
import type { RunningEmulator } from '../../test/emulator';
import { sdkClients } from '../../test/emulator/testing/sdk';
import { GOVERNED_ACTIONS, leastPrivilegePolicy, type RamPolicy } from './catalogue';
import { CloudError } from './errors';
import type { Cloud } from './index';
import { deniedWrites } from './permissions';
import { cloudFor, startTwoClusterEmulator } from './testkit/emulated-cloud';

let emulator: RunningEmulator;
let cloud: Cloud;

beforeAll(async () => {
  emulator = await startTwoClusterEmulator();
  cloud = cloudFor(emulator);
});
afterAll(() => emulator.stop());
afterEach(() => emulator.setPolicy(emulator.credentials.accessKeyId, undefined));

const usePolicy = (policy: RamPolicy) => emulator.setPolicy(emulator.credentials.accessKeyId, policy);

function without(ramAction: string): RamPolicy {
  return leastPrivilegePolicy(GOVERNED_ACTIONS.filter((entry) => entry.ramAction !== ramAction));
}

describe('the least-privilege policy', () => {
  test('lists exactly the catalogue actions, on every resource', () => {
    const policy = leastPrivilegePolicy();
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect(policy.Statement[0]!.Action).toEqual(GOVERNED_ACTIONS.map((entry) => entry.ramAction));
    expect(new Set(policy.Statement[0]!.Action).size).toBe(GOVERNED_ACTIONS.length);
  });

  test('allows every probe, and the probes change nothing (DryRun, or ids no one owns)', async () => {
    usePolicy(leastPrivilegePolicy());
    const before = emulator.state();
    const verdicts = await Promise.all(GOVERNED_ACTIONS.map((entry) => cloud.permissions.check(entry)));
    expect(verdicts.filter((verdict) => verdict.status !== 'allowed').map((verdict) => verdict.entry.action)).toEqual(
      [],
    );
    const after = emulator.state();
    expect(after.endpointServices).toEqual(before.endpointServices);
    expect(after.endpoints).toEqual(before.endpoints);
    expect(after.clusters).toEqual(before.clusters);
    const dryRuns = emulator.requests().filter((request) => request.dryRun);
    expect(dryRuns.map((request) => request.code)).toEqual(
      GOVERNED_ACTIONS.filter((entry) => entry.dryRun).map(() => expect.any(String)),
    );
  });

  test.each(GOVERNED_ACTIONS.map((entry) => [entry.ramAction]))(
    'without %s, exactly that call is refused, as a permission error naming it',
    async (ramAction) => {
      usePolicy(without(ramAction));
      const verdicts = await Promise.all(GOVERNED_ACTIONS.map((entry) => cloud.permissions.check(entry)));
      const denied = verdicts.filter((verdict) => verdict.status === 'denied');
      expect(denied.map((verdict) => verdict.entry.ramAction)).toEqual([ramAction]);
      const error = denied[0]!.error!;
      expect(error).toBeInstanceOf(CloudError);
      expect(error).toMatchObject({ permissionDenied: true, ramAction, httpStatus: 403 });
      expect(error.requestId).toBeTruthy();
      expect(error.toString()).toContain(`"Action": "${ramAction}"`);
    },
  );
});

describe('deniedWrites, a preflight before the first change', () => {
  test('names the writes RAM would refuse, and only those, changing nothing', async () => {
    usePolicy(without('cs:ModifyCluster'));
    const denied = await deniedWrites(cloud.permissions, GOVERNED_ACTIONS);
    expect(denied.map((error) => error.ramAction)).toEqual(['cs:ModifyCluster']);
    usePolicy(leastPrivilegePolicy());
    expect(await deniedWrites(cloud.permissions, GOVERNED_ACTIONS)).toEqual([]);
    expect(emulator.state().endpointServices).toEqual([]);
  });
});

describe('denials as the gateway answers them', () => {
  test('a denied DryRun is Forbidden.RAM, not DryRunOperation, and creates nothing', async () => {
    usePolicy(without('privatelink:CreateVpcEndpointService'));
    const entry = GOVERNED_ACTIONS.find((candidate) => candidate.action === 'CreateVpcEndpointService')!;
    const verdict = await cloud.permissions.check(entry);
    expect(verdict.status).toBe('denied');
    expect(verdict.error).toMatchObject({ code: 'Forbidden.RAM', httpStatus: 403 });
    expect(emulator.requests().at(-1)).toMatchObject({ dryRun: true, status: 403, code: 'Forbidden.RAM' });
    expect(emulator.state().endpointServices).toEqual([]);
  });

  test('an allowed DryRun that passes every check is DryRunOperation, and creates nothing', async () => {
    usePolicy(leastPrivilegePolicy());
    const error = (await sdkClients(emulator)
      .privateLink('CreateVpcEndpointService', {
        ServiceResourceType: 'slb',
        'Resource.1.ResourceId': emulator.world.clusters[0]!.apiServerLoadBalancerId,
        'Resource.1.ResourceType': 'slb',
        'Resource.1.ZoneId': 'cn-hangzhou-j',
        DryRun: true,
      })
      .catch((thrown: unknown) => thrown)) as { code: string };
    expect(error.code).toBe('DryRunOperation');
    expect(emulator.state().endpointServices).toEqual([]);
  });

  test('ACK answers StatusForbidden naming the RAM action; the client error names it too', async () => {
    usePolicy(without('cs:DescribeClusterDetail'));
    const clusterId = emulator.world.clusters[0]!.clusterId;
    const error = await cloud.ack.describeClusterDetail(clusterId).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 'StatusForbidden',
      httpStatus: 403,
      permissionDenied: true,
      ramAction: 'cs:DescribeClusterDetail',
      resourceId: clusterId,
    });
    expect(String(error)).toMatch(
      /^RAM denied cs:DescribeClusterDetail \(ACK DescribeClusterDetail for c\w+; StatusForbidden, HTTP 403, request id [0-9A-F-]+\): .* Next: add \{"Effect": "Allow", "Action": "cs:DescribeClusterDetail", "Resource": "\*"\} to the RAM policy/,
    );
  });

  test('an explicit Deny beats an Allow, and wildcards match as RAM matches them', async () => {
    usePolicy({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: ['privatelink:*', 'vpc:Describe*'], Resource: '*' },
        { Effect: 'Deny', Action: 'privatelink:Delete*', Resource: '*' },
      ],
    });
    const verdict = (action: string) =>
      cloud.permissions.check(GOVERNED_ACTIONS.find((entry) => entry.action === action)!);
    expect((await verdict('CreateVpcEndpoint')).status).toBe('allowed');
    expect((await verdict('DescribeVSwitches')).status).toBe('allowed');
    expect((await verdict('DeleteVpcEndpoint')).status).toBe('denied');
    expect((await verdict('DescribeLoadBalancers')).status).toBe('denied');
  });

  test('a resource-scoped statement allows calls on that resource only', async () => {
    const region = emulator.regionId;
    usePolicy({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'cs:DescribeClusterDetail', Resource: `acs:cs:${region}:*:cluster/c8*` }],
    });
    // The world's clusters: c8497… and cab16….
    const [first, second] = emulator.world.clusters.map((cluster) => cluster.clusterId) as [string, string];
    await expect(cloud.ack.describeClusterDetail(first)).resolves.toMatchObject({ clusterId: first });
    await expect(cloud.ack.describeClusterDetail(second)).rejects.toMatchObject({ permissionDenied: true });
  });
});
