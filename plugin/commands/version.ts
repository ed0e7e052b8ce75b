import { Command } from 'clipanion';
import { pluginVersion } from '../version';

export class VersionCommand extends Command {
  static override paths = [['version']];
  static override usage = Command.Usage({
    description: 'Print the version of kubectl-asmpvl',
    examples: [['Print the version', '$0 version']],
  });

  async execute(): Promise<number> {
    this.context.stdout.write(`kubectl-asmpvl ${pluginVersion()}\n`);
    return 0;
  }
}
