import { Builtins, Cli, type BaseContext } from 'clipanion';
import { ConnectCommand } from './commands/connect';
import { DisconnectCommand } from './commands/disconnect';
import { DoctorCommand } from './commands/doctor';
import { PolicyCommand } from './commands/policy';
import { StatusCommand } from './commands/status';
import { SyncSanCommand } from './commands/sync-san';
import { ValidateCommand } from './commands/validate';
import { VersionCommand } from './commands/version';
import { ExitCode } from './exit-codes';
import { pluginVersion } from './version';

// kubectl runs us as `kubectl-asmpvl`; help and errors should read the way the user typed it.
function binaryName(argv0: string | undefined): string {
  return argv0 !== undefined && /kubectl-asmpvl(\.c?js)?$/.test(argv0) ? 'kubectl asmpvl' : 'kubectl-asmpvl';
}

/** Every command of the plugin, one class per file in plugin/commands. */
export const commands = [
  StatusCommand,
  DoctorCommand,
  ValidateCommand,
  VersionCommand,
  ConnectCommand,
  DisconnectCommand,
  SyncSanCommand,
  PolicyCommand,
];

export function createCli(argv0?: string, enableColors = false): Cli<BaseContext> {
  const cli = new Cli({
    binaryLabel: 'kubectl asmpvl: PrivateLink between ASM and ACK clusters',
    binaryName: binaryName(argv0),
    binaryVersion: pluginVersion(),
    enableColors,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of commands) cli.register(command);
  return cli;
}

/** Parses and runs one command line; a command line that cannot be parsed exits 2, as documented. */
export async function runCli(args: string[], context: BaseContext, argv0?: string): Promise<number> {
  // clipanion would colour help by the process's default, even into a pipe: follow the context.
  const cli = createCli(argv0, context.colorDepth > 1);
  let command;
  try {
    command = cli.process(args, context);
  } catch (error) {
    context.stderr.write(cli.error(error));
    return ExitCode.Usage;
  }
  return cli.run(command, context);
}
