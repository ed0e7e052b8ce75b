import { Cli, type BaseContext, type Command, type CommandClass } from 'clipanion';
import { CompleteCommand } from './commands/complete';
import { ConnectCommand } from './commands/connect';
import { DisconnectCommand } from './commands/disconnect';
import { DoctorCommand } from './commands/doctor';
import { HelpCommand } from './commands/help';
import { OptionsCommand } from './commands/options';
import { PolicyCommand } from './commands/policy';
import { StatusCommand } from './commands/status';
import { SyncSanCommand } from './commands/sync-san';
import { ValidateCommand } from './commands/validate';
import { VersionCommand } from './commands/version';
import { ExitCode } from './exit-codes';
import { helpPage, unknownCommandText, usageErrorText, visibleWords } from './help';
import { pluginVersion } from './version';

// kubectl runs us as `kubectl-asmpvl`; help and errors should read the way the user typed it.
function binaryName(argv0: string | undefined): string {
  return argv0 !== undefined && /kubectl-asmpvl(\.c?js|\.exe)?$/.test(argv0) ? 'kubectl asmpvl' : 'kubectl-asmpvl';
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
  OptionsCommand,
  HelpCommand,
];

/** The words that start a command line (`status`, `sync-san`, ...), for completion and the code cache. */
export function commandWords(): string[] {
  return [
    ...new Set(commands.flatMap((command: CommandClass) => (command.paths ?? []).map((path) => path[0] ?? ''))),
  ].filter((word) => /^[a-z]/.test(word));
}

/** Short options that take a value, in every command that has them (kubectl's `-ojson`, `-n ns`). */
const SHORT_WITH_VALUE = new Set(['-o', '-n', '-s', '-f']);
/** Global flags kubectl users put before the command word; each takes a value unless listed in BOOLEAN_GLOBALS. */
const GLOBAL_FLAGS = new Set([
  '--kubeconfig',
  '--context',
  '--cluster',
  '--user',
  '--as',
  '--as-group',
  '-s',
  '--server',
  '--token',
  '--certificate-authority',
  '--insecure-skip-tls-verify',
  '--request-timeout',
  '-n',
  '--namespace',
  '--region',
  '--profile',
  '--cloud-endpoint',
]);
const BOOLEAN_GLOBALS = new Set(['--insecure-skip-tls-verify']);
/** The most -v can count to: kubectl's levels go to 10, ours mean something up to 2. */
const MAX_VERBOSITY = 10;

/**
 * Rewrites a command line from the forms kubectl accepts into the forms clipanion parses:
 * `-ojson` and `-o=json` into `-o json`; `-v=6`, `--v=6`, `-v6` and `-v 6` (kubectl's verbosity
 * levels) into as many `-v`; and global flags given before the command word (`-n ns status`)
 * after it. `--flag=value` clipanion reads itself. Everything after `--` is left alone.
 */
export function normaliseArgs(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  const head = end === -1 ? [...args] : args.slice(0, end);
  const tail = end === -1 ? [] : args.slice(end);
  const out: string[] = [];
  for (let i = 0; i < head.length; i++) {
    const arg = head[i]!;
    const verbosity = /^--?v(?:=?(\d+))?$/.exec(arg);
    if (verbosity && (verbosity[1] !== undefined || arg === '-v')) {
      let level = verbosity[1];
      if (level === undefined && /^\d+$/.test(head[i + 1] ?? '')) level = head[++i];
      out.push(...Array<string>(Math.min(Number(level ?? 1), MAX_VERBOSITY)).fill('-v'));
      continue;
    }
    const short = /^(-[a-z])=?(.+)$/.exec(arg);
    if (short && SHORT_WITH_VALUE.has(short[1]!)) {
      out.push(short[1]!, short[2]!);
      continue;
    }
    out.push(arg);
  }
  return [...moveLeadingGlobals(out), ...tail];
}

/** `-n ns --context x status -o wide` becomes `status -n ns --context x -o wide`. */
function moveLeadingGlobals(args: string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    const name = arg.split('=')[0]!;
    if (arg === '-v') {
      leading.push(arg);
      i += 1;
    } else if (GLOBAL_FLAGS.has(name)) {
      const takesValue = !arg.includes('=') && !BOOLEAN_GLOBALS.has(name);
      leading.push(...args.slice(i, takesValue ? i + 2 : i + 1));
      i += takesValue ? 2 : 1;
    } else break;
  }
  if (leading.length === 0 || i >= args.length || args[i]!.startsWith('-')) return args;
  return [args[i]!, ...leading, ...args.slice(i + 1)];
}

/**
 * The CLI with every command, or with only `forWord`'s: clipanion builds a parser of every option of
 * every registered command on each start (~35 ms for all of them), so a command line that names its
 * command gets a parser of that command alone. Help, typos and completion get them all.
 */
export function createCli(argv0?: string, enableColors = false, forWord?: string): Cli<BaseContext> {
  const cli = new Cli({
    binaryLabel: 'kubectl asmpvl: PrivateLink between ASM and ACK clusters',
    binaryName: binaryName(argv0),
    binaryVersion: pluginVersion(),
    enableColors,
  });
  // Help reads every command's definition; any other command line needs only its own.
  const named =
    forWord === 'help'
      ? []
      : commands.filter((command: CommandClass) => command.paths?.some((path) => path[0] === forWord));
  for (const command of named.length > 0 ? named : commands) cli.register(command);
  if (named.length === 0) cli.register(CompleteCommand);
  return cli;
}

/** The streams a run writes to, and whether each is a terminal (colour is decided per stream). */
export interface RunOptions {
  argv0?: string;
  /** Called with the command word and command once the command line parsed (the launcher keys its code cache by the word). */
  onCommand?: (word: string, command: Command<BaseContext>) => void;
}

function isTerminal(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Parses and runs one command line; a command line that cannot be parsed exits 2, as documented. */
export async function runCli(
  args: string[],
  context: BaseContext,
  argvOrOptions?: string | RunOptions,
): Promise<number> {
  const options = typeof argvOrOptions === 'string' ? { argv0: argvOrOptions } : (argvOrOptions ?? {});
  const colours = context.colorDepth > 1;
  const normalised = normaliseArgs(args);
  const first = normalised[0];
  // No command, or help asked for before one: the overview, as `kubectl --help` (and `help` itself).
  const word = first === undefined || first === '-h' || first === '--help' ? 'help' : first;
  const cli = createCli(options.argv0, colours && isTerminal(context.stdout), word);
  if (!word.startsWith('-') && !commandWords().includes(word) && word !== '__complete') {
    const known = visibleWords(cli.definitions(), cli.binaryName);
    context.stderr.write(unknownCommandText(word, known, cli.binaryName));
    return ExitCode.Usage;
  }
  let command;
  try {
    command = cli.process(word === first ? normalised : ['help'], context);
  } catch (error) {
    const path = `${cli.binaryName}${word.startsWith('-') ? '' : ` ${word}`}`;
    context.stderr.write(usageErrorText(error instanceof Error ? error.message : String(error), path));
    return ExitCode.Usage;
  }
  options.onCommand?.(command.path.find((part) => !part.startsWith('-')) ?? '', command);
  // `status --help` parses into clipanion's own help command, a class none of ours is.
  const ours = [...commands, CompleteCommand].includes(command.constructor as (typeof commands)[number]);
  if (ours && !command.help) return cli.run(command, context);
  // `status --help` parsed with status alone registered: help needs every definition (the globals' page).
  const definitions = createCli(options.argv0, false, 'help').definitions();
  const page = helpPage(definitions, command.path[0], cli.binaryLabel ?? '', cli.binaryName);
  context.stdout.write(page ?? '');
  return ExitCode.Ok;
}
