import { Command, Option } from 'clipanion';
import { helpPage, unknownCommandText, visibleWords } from '../help';
import { ExitCode } from '../exit-codes';

/** `kubectl asmpvl help [command]`, as `kubectl help get`: the overview, or one command's help. */
export class HelpCommand extends Command {
  static override paths = [['help']];
  static override usage = Command.Usage({
    description: 'Help about any command',
    examples: [
      ['Every command', '$0 help'],
      ['One command', '$0 help status'],
    ],
  });

  words = Option.Rest();

  async execute(): Promise<number> {
    const definitions = this.cli.definitions();
    const { binaryLabel = '', binaryName } = this.cli;
    const word = this.words[0];
    const page = helpPage(definitions, word, binaryLabel, binaryName);
    if (page !== undefined) {
      this.context.stdout.write(page);
      return ExitCode.Ok;
    }
    this.context.stderr.write(unknownCommandText(word ?? '', visibleWords(definitions, binaryName), binaryName));
    return ExitCode.Usage;
  }
}
