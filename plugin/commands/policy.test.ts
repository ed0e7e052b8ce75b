import { CLOUD_ACTIONS } from '../../engine/cloud/catalogue';
import { runPlugin } from '../testing/run-cli';

describe('kubectl asmpvl policy', () => {
  test('prints the RAM policy document: one Allow of every catalogued action asmpvl calls, on every resource', async () => {
    const result = await runPlugin(['policy']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const policy = JSON.parse(result.stdout) as { Version: string; Statement: Array<Record<string, unknown>> };
    expect(policy.Version).toBe('1');
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: CLOUD_ACTIONS.map((entry) => entry.ramAction), Resource: '*' },
    ]);
    expect(policy.Statement[0]!.Action).toEqual(
      expect.arrayContaining([
        'privatelink:CreateVpcEndpointService',
        'cs:ModifyCluster',
        'vpc:DescribeVSwitchAttributes',
        'servicemesh:AddClusterIntoServiceMesh',
        'slb:DescribeLoadBalancers',
        'nlb:GetLoadBalancerAttribute',
      ]),
    );
  });

  test('-o table says why each action is called and how doctor checks it', async () => {
    const result = await runPlugin(['policy', '-o', 'table']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RAM ACTION\s+WRITES\s+DOCTOR CHECKS WITH\s+WHY$/);
    expect(lines).toHaveLength(CLOUD_ACTIONS.length + 1);
    expect(lines).toContainEqual(expect.stringMatching(/^privatelink:CreateVpcEndpoint\s+yes\s+DryRun\s+connect: /));
    expect(lines).toContainEqual(expect.stringMatching(/^cs:ModifyCluster\s+yes\s+a call on an id no one owns\s+/));
  });

  test('an unknown output format is refused with exit 1', async () => {
    const result = await runPlugin(['policy', '-o', 'yaml']);
    expect(result.code).not.toBe(0);
  });
});
