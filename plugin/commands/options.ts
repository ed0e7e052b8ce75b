import { Command } from 'clipanion';
import { optionsHelp } from '../help';
import { ClusterCommand } from './base';

/**
 * `kubectl asmpvl options`: the flags every cluster command shares, on one page as `kubectl options`
 * keeps kubectl's, so each command's help lists only its own. Its options are exactly the shared ones.
 */
export class OptionsCommand extends ClusterCommand {
  static override paths = [['options']];
  static override usage = Command.Usage({
    description: 'Print the flags every command that talks to a cluster or the cloud takes',
    examples: [['Print them', '$0 options']],
  });

  async execute(): Promise<number> {
    const own = this.cli.definitions().find((definition) => definition.path.endsWith(' options'));
    if (own) this.context.stdout.write(optionsHelp(own));
    return 0;
  }
}
