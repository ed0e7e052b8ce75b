// RAM permissions end to end: the plugin's access key gets a RAM policy in the emulator (which
// answers a call outside it as the gateway does: Forbidden.RAM, HTTP 403, AccessDeniedDetail).
// The policy `kubectl asmpvl policy` prints lets the whole flow pass, and every action in it is
// called by some step (engine/cloud/permissions.contract.test.ts shows that without any one of them
// exactly that call is refused); a key that lacks one action gets it named by doctor and by connect.
import { CLOUD_ACTIONS, type RamPolicy } from '../../engine/cloud/catalogue';
import type { Finding } from '../../plugin/doctor/checks';
import { loadWorldFile, TWO_CLUSTERS_WORLD, type World } from '../emulator';
import { run } from './harness';
import { inventorySummary, PLUGIN, type Sandbox, startSandbox } from './provisioning-sandbox';

let sandbox: Sandbox;
let policy: RamPolicy;

// A second vSwitch of ack-hz-1's VPC in zone j, so a connect can move the Pilot endpoint's zone
// to it (RemoveZoneFromVpcEndpoint, then AddZoneToVpcEndpoint).
const SECOND_J_VSWITCH = 'vsw-bp1second0j0ack0hz0001';

function world(): World {
  const base = loadWorldFile(TWO_CLUSTERS_WORLD);
  base.vSwitches.push({
    vSwitchId: SECOND_J_VSWITCH,
    vpcId: base.clusters[0]!.vpcId,
    zoneId: 'cn-hangzhou-j',
    cidrBlock: '10.1.3.0/24',
  });
  return base;
}

function without(ramAction: string): RamPolicy {
  const [statement] = policy.Statement;
  const actions = (statement!.Action as string[]).filter((action) => action !== ramAction);
  return { ...policy, Statement: [{ ...statement!, Action: actions }] };
}

/** The RAM actions the requests since `since` asked for (the emulator's product names are the RAM codes). */
function ramActionsSince(since: number): Set<string> {
  return new Set(
    sandbox.emulator
      .requests()
      .slice(since)
      .map((entry) => `${entry.product}:${entry.action}`),
  );
}

async function doctorFindings(): Promise<{ code: number; findings: Finding[] }> {
  const result = await sandbox.plugin(['doctor', '-o', 'json']);
  return { code: result.code, findings: (JSON.parse(result.stdout) as { findings: Finding[] }).findings };
}

beforeAll(async () => {
  const printed = await run(process.execPath, [PLUGIN, 'policy']);
  expect(printed.code).toBe(0);
  policy = JSON.parse(printed.stdout) as RamPolicy;
  sandbox = await startSandbox(undefined, { world: world(), policy });
  await sandbox.deleteObject();
});

afterAll(async () => {
  await sandbox?.deleteObject();
  await sandbox?.stop();
});

describe('the policy kubectl asmpvl policy prints, as the only permissions of the key', () => {
  test('lets the whole flow pass, and every action in it is called by some step', async () => {
    const [c1, c2] = sandbox.clusters;
    const doctor = await doctorFindings();
    expect(doctor.findings.find((finding) => finding.check === 'permissions')?.status).toBe('ok');

    const since = sandbox.emulator.requests().length;
    const steps: string[][] = [
      ['connect', c1, '--mesh-id', sandbox.meshId],
      // A second cluster in another zone: the shared Pilot service gains that zone (Attach).
      ['connect', c2],
      // The Pilot endpoint of c1 moves to another vSwitch of zone j (RemoveZone, AddZone).
      ['connect', c1, '--vswitch', SECOND_J_VSWITCH],
      ['status', '--refresh'],
      ['sync-san'],
      ['disconnect', c2],
      ['disconnect', c1],
    ];
    for (const args of steps) {
      const result = await sandbox.plugin(args);
      expect({ args, code: result.code, stderr: result.stderr.includes('RAM denied') }).toEqual({
        args,
        code: 0,
        stderr: false,
      });
    }
    expect(sandbox.emulator.requests().filter((entry) => entry.code === 'Forbidden.RAM')).toEqual([]);
    expect(inventorySummary(sandbox.inventory())).toEqual({ services: [], endpoints: [] });

    // Each action of the policy is called by the flow, except those a step needs only elsewhere:
    // doctor's own reads, cross-account allowlists and roles (one key, one account here), and NLB zones
    // (test/e2e/nlb.e2e.test.ts).
    const called = ramActionsSince(since);
    const elsewhere = CLOUD_ACTIONS.filter(
      (entry) =>
        entry.purpose.startsWith('doctor:') ||
        entry.purpose.startsWith('connect across accounts:') ||
        entry.product === 'NLB',
    ).map((entry) => entry.ramAction);
    expect(elsewhere.sort()).toEqual([
      'nlb:GetLoadBalancerAttribute',
      'privatelink:AddUserToVpcEndpointService',
      'privatelink:CheckProductOpen',
      'privatelink:DescribeZones',
      'privatelink:ListVpcEndpointServiceUsers',
      'sts:AssumeRole',
      'sts:GetCallerIdentity',
    ]);
    const policyActions = policy.Statement[0]!.Action as string[];
    expect([...called].filter((action) => !policyActions.includes(action))).toEqual([]);
    expect(policyActions.filter((action) => !called.has(action) && !elsewhere.includes(action))).toEqual([]);
  });
});

describe('a key whose policy lacks privatelink:CreateVpcEndpointService', () => {
  const missing = 'privatelink:CreateVpcEndpointService';
  const grantLine = `{"Effect": "Allow", "Action": "${missing}", "Resource": "*"}`;

  beforeAll(async () => {
    await sandbox.deleteObject();
    sandbox.emulator.setPolicy(sandbox.emulator.credentials.accessKeyId, without(missing));
  });

  test('doctor names the missing action and the policy line that grants it; exit 1', async () => {
    const { code, findings } = await doctorFindings();
    expect(code).toBe(1);
    const denied = findings.filter((finding) => finding.check.startsWith('permission'));
    expect(denied).toEqual([
      {
        check: `permission/${missing}`,
        title: `RAM permission ${missing}`,
        status: 'fail',
        message: expect.stringMatching(
          /^denied \(Forbidden\.RAM, request id [0-9A-F-]+\); needed for connect: a service in front of each API server and of Pilot$/,
        ) as unknown,
        fix: `add ${grantLine} to the RAM policy of this user or role (kubectl asmpvl policy prints the whole policy)`,
      },
    ]);
  });

  test('connect fails with exit 1, naming the RAM action, the call, the request id and the fix; no link is half made', async () => {
    const [c1, c2] = sandbox.clusters;
    const since = sandbox.emulator.requests().length;
    const result = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    expect(result.code).toBe(1);
    const refused = sandbox.emulator
      .requests()
      .slice(since)
      .filter((entry) => entry.code === 'Forbidden.RAM');
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((entry) => entry.action))).toEqual(new Set(['CreateVpcEndpointService']));
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output).toContain(`RAM denied ${missing} (PrivateLink CreateVpcEndpointService`);
    expect(output).toContain(`request id ${refused[0]!.requestId}`);
    expect(output).toContain(`Next: add ${grantLine} to the RAM policy`);
    // Without a service nothing can connect to: no endpoint was made, no service exists.
    expect(inventorySummary(sandbox.inventory())).toEqual({ services: [], endpoints: [] });
    // The permission preflight runs before the first change: not even the mesh membership changed.
    expect(
      sandbox
        .mutatingSince(since)
        .filter((entry) => entry.status === 200)
        .map((entry) => entry.action),
    ).toEqual([]);
    expect(result.stderr).toContain('nothing was changed');
  });

  test('granted again, the same connect completes', async () => {
    sandbox.emulator.setPolicy(sandbox.emulator.credentials.accessKeyId, policy);
    const [c1, c2] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Overall: Available');
  });
});
