import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { CLOUD_ACTIONS, leastPrivilegePolicy } from '../../engine/cloud/catalogue';

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
    `,
    examples: [
      ['Print the policy document', '$0 policy'],
      [
        'Create it as a custom policy with the aliyun CLI',
        'aliyun ram CreatePolicy --PolicyName asmpvl --PolicyDocument "$($0 policy)"',
      ],
      ['What each action is for', '$0 policy -o table'],
    ],
  });

  output = Option.String('-o,--output', 'json', {
    description: 'json (the policy document) or table',
    validator: t.isEnum(['json', 'table']),
  });

  async execute(): Promise<number> {
    if (this.output === 'table') {
      this.context.stdout.write(policyTable());
      return 0;
    }
    this.context.stdout.write(`${JSON.stringify(leastPrivilegePolicy(), null, 2)}\n`);
    return 0;
  }
}

/** One row per action: the RAM action, whether it writes, how doctor checks it, and why it is called. */
function policyTable(): string {
  const rows = [
    ['RAM ACTION', 'WRITES', 'DOCTOR CHECKS WITH', 'WHY'],
    ...CLOUD_ACTIONS.map((entry) => [
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
