import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { GOVERNED_ACTIONS, crossAccountPolicies, leastPrivilegePolicy } from '../../engine/cloud/catalogue';
import { CloudSettingsError, parseClusterRoles } from '../../engine/cloud/setting-values';
import { ExitCode } from '../exit-codes';

/** The least-privilege RAM policy, from the catalogue of the cloud actions the plugin and controller call. */
export class PolicyCommand extends Command {
  static override paths = [['policy']];
  static override usage = Command.Usage({
    description: 'Print the least-privilege RAM policy the plugin and the controller need',
    details: `
      Prints a RAM policy document that allows exactly the cloud actions asmpvl calls (engine/cloud/catalogue.ts),
      on every resource: the PrivateLink services and endpoints are created by the run, so their ids are not known
      beforehand. Attach it to the RAM user or role whose AccessKey (or RRSA role) the plugin and the controller use.
      \`-o table\` lists each action with why it is called, whether it changes anything, and how \`doctor\` checks it.

      With clusters in other accounts than the mesh (\`--cluster-role\`, as connect and the controller take it) it prints,
      by account: the mesh account's policy (its side's actions, and sts:AssumeRole on exactly those roles), and for each
      role its policy (a cluster side's actions) and its trust policy, which lets the mesh account (\`--mesh-account\`) assume it.
    `,
    examples: [
      ['Print the policy document', '$0 policy'],
      [
        'Create it as a custom policy with the aliyun CLI',
        'aliyun ram CreatePolicy --PolicyName asmpvl --PolicyDocument "$($0 policy)"',
      ],
      ['What each action is for', '$0 policy -o table'],
      [
        'Clusters in another account',
        '$0 policy --mesh-account 1234567890123456 --cluster-role c0123...=acs:ram::2345678901234567:role/asmpvl',
      ],
    ],
  });

  output = Option.String('-o,--output', 'json', {
    description: 'json (the policy document) or table',
    validator: t.isEnum(['json', 'table']),
  });

  meshAccount = Option.String('--mesh-account', {
    description: "With --cluster-role: the mesh's account id, which each role's trust policy names",
    validator: t.cascade(t.isString(), t.matchesRegExp(/^\d{16}$/)),
  });

  clusterRole = Option.Array('--cluster-role', {
    description: '<cluster-id>=<role-arn> of a cluster in another account than the mesh; repeat per cluster',
  });

  async execute(): Promise<number> {
    if (this.clusterRole && this.clusterRole.length > 0) return this.crossAccount(this.clusterRole);
    if (this.output === 'table') {
      this.context.stdout.write(policyTable());
      return 0;
    }
    this.context.stdout.write(`${JSON.stringify(leastPrivilegePolicy(), null, 2)}\n`);
    return 0;
  }

  private crossAccount(pairs: string[]): number {
    let roles;
    try {
      roles = parseClusterRoles(pairs, '--cluster-role');
    } catch (error) {
      if (!(error instanceof CloudSettingsError)) throw error;
      this.context.stderr.write(`error: ${error.message}\n`);
      return ExitCode.Usage;
    }
    if (!this.meshAccount) {
      this.context.stderr.write(
        "error: --cluster-role needs --mesh-account <id>: each role's trust policy names the mesh's account\n",
      );
      return ExitCode.Usage;
    }
    const policies = crossAccountPolicies(this.meshAccount, roles);
    if (this.output === 'table') {
      const lines = [
        `account ${policies.mesh.accountId} (mesh): ${(policies.mesh.policy.Statement[0]!.Action as string[]).length} actions, and sts:AssumeRole on ${policies.roles.length} role(s)`,
        ...policies.roles.map(
          (role) =>
            `account ${role.accountId} (clusters ${role.clusterIds.join(', ')}): role ${role.roleArn}, ${(role.policy.Statement[0]!.Action as string[]).length} actions, trusting account ${policies.mesh.accountId}`,
        ),
      ];
      this.context.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    }
    this.context.stdout.write(`${JSON.stringify(policies, null, 2)}\n`);
    return 0;
  }
}

/** One row per action: the RAM action, whether it writes, how doctor checks it, and why it is called. */
function policyTable(): string {
  const rows = [
    ['RAM ACTION', 'WRITES', 'DOCTOR CHECKS WITH', 'WHY'],
    ...GOVERNED_ACTIONS.map((entry) => [
      entry.ramAction,
      entry.mutating ? 'yes' : 'no',
      entry.probe === 'dry-run' ? 'DryRun' : entry.probe === 'read' ? 'a read' : 'a call on an id no one owns',
      entry.purpose,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
    )
    .join('\n')
    .concat('\n');
}
