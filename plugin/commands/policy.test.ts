import { GOVERNED_ACTIONS } from '../../engine/cloud/catalogue';
import { startEmulator } from '../../test/emulator';
import { sdkClients } from '../../test/emulator/testing/sdk';
import { CROSS_ACCOUNT, crossAccountWorld } from '../../test/emulator/testing/worlds';
import type { CrossAccountPolicies } from '../../engine/cloud/catalogue';
import { runPlugin } from '../testing/run-cli';

describe('kubectl asmpvl policy', () => {
  test('prints the RAM policy document: one Allow of every catalogued action asmpvl calls, on every resource', async () => {
    const result = await runPlugin(['policy']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const policy = JSON.parse(result.stdout) as { Version: string; Statement: Array<Record<string, unknown>> };
    expect(policy.Version).toBe('1');
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: GOVERNED_ACTIONS.map((entry) => entry.ramAction), Resource: '*' },
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
    expect(lines).toHaveLength(GOVERNED_ACTIONS.length + 1);
    expect(lines).toContainEqual(expect.stringMatching(/^privatelink:CreateVpcEndpoint\s+yes\s+DryRun\s+connect: /));
    expect(lines).toContainEqual(expect.stringMatching(/^cs:ModifyCluster\s+yes\s+a call on an id no one owns\s+/));
  });

  test('an unknown output format is refused with exit 1', async () => {
    const result = await runPlugin(['policy', '-o', 'yaml']);
    expect(result.code).not.toBe(0);
  });

  describe('across accounts', () => {
    const C1 = 'c84974f524e2045c87dccadff91a71708';
    const C2 = 'cab1659d273777fbbeb08d1f747ad55b7';
    const { mesh, clusters: B, third: C } = CROSS_ACCOUNT;
    const args = [
      'policy',
      '--mesh-account',
      mesh.accountId,
      '--cluster-role',
      `${C1}=${B.roleArn}`,
      '--cluster-role',
      `${C2}=${C.roleArn}`,
    ];

    test("prints the mesh account's policy, and each role's policy and trust policy", async () => {
      const result = await runPlugin(args);
      expect(result.code).toBe(0);
      const policies = JSON.parse(result.stdout) as CrossAccountPolicies;
      expect(policies.mesh.accountId).toBe(mesh.accountId);
      const meshActions = policies.mesh.policy.Statement[0]!.Action as string[];
      expect(meshActions).toEqual(expect.arrayContaining(['servicemesh:AddClusterIntoServiceMesh']));
      expect(meshActions.some((action) => action.startsWith('cs:'))).toBe(false);
      expect(policies.mesh.policy.Statement[1]).toEqual({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: [B.roleArn, C.roleArn],
      });
      expect(policies.roles.map((role) => [role.accountId, role.clusterIds])).toEqual([
        [B.accountId, [C1]],
        [C.accountId, [C2]],
      ]);
      const roleActions = policies.roles[0]!.policy.Statement[0]!.Action as string[];
      expect(roleActions).toEqual(expect.arrayContaining(['cs:ModifyCluster', 'privatelink:CreateVpcEndpointService']));
      expect(roleActions.some((action) => action.startsWith('servicemesh:') || action.startsWith('sts:'))).toBe(false);
      expect(policies.roles[0]!.trustPolicy).toEqual({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${mesh.accountId}:root`] } },
        ],
      });
    });

    test('what it prints is what the cloud needs: the role is assumed, and each identity may do its side only', async () => {
      const policies = JSON.parse((await runPlugin(args)).stdout) as CrossAccountPolicies;
      const world = crossAccountWorld(['B', 'C'], policies.roles[0]!.policy);
      for (const account of world.accounts.slice(1)) account.roles![0]!.trustPolicy = policies.roles[0]!.trustPolicy;
      world.accounts[0]!.accessKeys[0]!.policy = policies.mesh.policy;
      const emulator = await startEmulator({ world, seed: 3 });
      try {
        const asMesh = sdkClients(emulator);
        const assumed = await asMesh.rpc('sts', 'AssumeRole', { RoleArn: B.roleArn, RoleSessionName: 'asmpvl' });
        const asRole = sdkClients(emulator, {
          accessKeyId: assumed.Credentials.AccessKeyId,
          accessKeySecret: assumed.Credentials.AccessKeySecret,
          securityToken: assumed.Credentials.SecurityToken,
        });
        expect((await asRole.cs.describeClusterDetail(C1)).body?.clusterId).toBe(C1);
        const denied = (call: Promise<unknown>) =>
          call.then(
            () => 'allowed',
            (error: { code: string }) => error.code,
          );
        // The role may not touch the mesh; the mesh's identity may not touch ACK.
        expect(await denied(asRole.rpc('servicemesh', 'DescribeServiceMeshDetail', { ServiceMeshId: 'c1' }))).toBe(
          'Forbidden.RAM',
        );
        expect(await denied(asMesh.cs.describeClusterDetail(C1))).toBe('StatusForbidden');
        expect(
          await denied(
            asMesh.rpc('sts', 'AssumeRole', { RoleArn: `acs:ram::${B.accountId}:role/other`, RoleSessionName: 'x' }),
          ),
        ).toBe('Forbidden.RAM');
      } finally {
        await emulator.stop();
      }
    });

    test('--cluster-role without --mesh-account, or with a malformed pair, is a usage error (exit 2)', async () => {
      expect((await runPlugin(['policy', '--cluster-role', `${C1}=${B.roleArn}`])).code).toBe(2);
      const malformed = await runPlugin(['policy', '--mesh-account', mesh.accountId, '--cluster-role', `${C1}:x`]);
      expect([malformed.code, malformed.stderr]).toEqual([
        2,
        expect.stringContaining('expected <cluster-id>=<role-arn>'),
      ]);
    });
  });
});
