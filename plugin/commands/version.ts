import { Command } from 'clipanion';
import { pluginVersion } from '../version';

export class VersionCommand extends Command {
  // Not -v: that is verbosity, as in kubectl.
  static override paths = [['version'], ['--version']];
  static override usage = Command.Usage({
    description: 'Print the version of kubectl-asmpvl',
    examples: [
      ['Print the version', '$0 version'],
      ['Only the number, for scripts', '$0 --version'],
    ],
  });

  async execute(): Promise<number> {
    // `--version` prints the bare number, as clipanion-based tools do; `version` says whose it is.
    const bare = this.path[0] === '--version';
    this.context.stdout.write(bare ? `${pluginVersion()}\n` : `kubectl-asmpvl ${pluginVersion()}\n`);
    return 0;
  }
}
