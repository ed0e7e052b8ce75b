import { type PermissionObservation, permissionFindings } from './permissions';

const allowed = (ramAction: string, probe: PermissionObservation['probe'] = 'read'): PermissionObservation => ({
  ramAction,
  purpose: 'connect: something',
  status: 'allowed',
  probe,
});

describe('permissionFindings', () => {
  test('all allowed: one ok finding counting them and the DryRun probes', () => {
    expect(
      permissionFindings([
        allowed('privatelink:CreateVpcEndpoint', 'dry-run'),
        allowed('cs:DescribeClusterDetail'),
        allowed('cs:ModifyCluster', 'absent-resource'),
      ]),
    ).toEqual([
      {
        check: 'permissions',
        title: 'RAM permissions of these credentials',
        status: 'ok',
        message:
          'all 3 RAM actions asmpvl calls are allowed (1 checked with DryRun, the others with a read or a call on an id no one owns; nothing changed)',
      },
    ]);
  });

  test('a denied action fails on its own, naming the action, what needs it, the answer and the policy line', () => {
    const findings = permissionFindings([
      allowed('cs:DescribeClusterDetail'),
      {
        ramAction: 'privatelink:CreateVpcEndpoint',
        purpose: 'connect: an endpoint in each VPC',
        status: 'denied',
        probe: 'dry-run',
        code: 'Forbidden.RAM',
        requestId: 'REQ-1',
      },
    ]);
    expect(findings).toEqual([
      {
        check: 'permission/privatelink:CreateVpcEndpoint',
        title: 'RAM permission privatelink:CreateVpcEndpoint',
        status: 'fail',
        message: 'denied (Forbidden.RAM, request id REQ-1); needed for connect: an endpoint in each VPC',
        fix: 'add {"Effect": "Allow", "Action": "privatelink:CreateVpcEndpoint", "Resource": "*"} to the RAM policy of this user or role (kubectl asmpvl policy prints the whole policy)',
      },
    ]);
  });

  test('a probe that could not decide is a warning naming it, not a failure', () => {
    const [finding] = permissionFindings([
      allowed('cs:DescribeClusterDetail'),
      { ...allowed('vpc:DescribeVSwitches'), status: 'unknown', code: 'Throttling.User' },
    ]);
    expect(finding).toMatchObject({ check: 'permissions', status: 'warn' });
    expect(finding!.message).toBe(
      'could not tell for vpc:DescribeVSwitches (Throttling.User); the other 1 are allowed',
    );
  });

  test('across accounts, a denial names whose policy lacks the action, and all allowed counts the identities', () => {
    const role = 'role acs:ram::1300000000000002:role/asmpvl-cluster';
    const [denied] = permissionFindings([
      { ...allowed('cs:ModifyCluster'), identity: role, status: 'denied', code: 'StatusForbidden', message: 'no' },
    ]);
    expect(denied).toMatchObject({
      check: `permission/${role}/cs:ModifyCluster`,
      title: `RAM permission cs:ModifyCluster of ${role}`,
      status: 'fail',
      fix: `add {"Effect": "Allow", "Action": "cs:ModifyCluster", "Resource": "*"} to the RAM policy of ${role} (kubectl asmpvl policy prints the whole policy, by account, with --cluster-role)`,
    });
    const [ok] = permissionFindings([
      { ...allowed('servicemesh:AddClusterIntoServiceMesh'), identity: 'the mesh account' },
      { ...allowed('cs:ModifyCluster'), identity: role },
    ]);
    expect(ok!.message).toContain(`across 2 identities (the mesh account; ${role})`);
  });
});
