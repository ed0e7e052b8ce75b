import { Builtins, Cli, type BaseContext, type Command, type CommandClass } from 'clipanion';
import { CompleteCommand } from './commands/complete';
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

/** What an option's value is called in help, instead of clipanion's `#0`. */
const VALUE_NAMES: Record<string, string> = {
  '--kubeconfig': 'PATH',
  '--certificate-authority': 'PATH',
  '-f,--filename': 'PATH',
  '--context': 'NAME',
  '--cluster': 'NAME',
  '--user': 'NAME',
  '--as': 'USER',
  '--as-group': 'GROUP',
  '-s,--server': 'URL',
  '--cloud-endpoint': 'URL',
  '--token': 'TOKEN',
  '-n,--namespace': 'NAMESPACE',
  '-o,--output': 'FORMAT',
  '--region': 'REGION',
  '--profile': 'PROFILE',
  '--request-timeout': 'DURATION',
  '--timeout': 'DURATION',
};

/** Help text with a name for each option's value (clipanion prints `#0`). */
export function nameOptionValues(text: string): string {
  // In the options table the name takes the place of padding, so the descriptions stay aligned.
  return text.replace(/(-[\w-]+(?:,--?[\w-]+)*) #0( *)/g, (_, flags: string, padding: string) => {
    const name = VALUE_NAMES[flags] ?? 'VALUE';
    const kept = padding.length > name.length ? padding.slice(name.length - 2) : padding;
    return `${flags} ${name}${kept}`;
  });
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
  cli.register(Builtins.HelpCommand);
  const named = commands.filter((command: CommandClass) => command.paths?.some((path) => path[0] === forWord));
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
  // Help goes to stdout and errors to stderr: each is coloured only when its own stream is a terminal.
  const normalised = normaliseArgs(args);
  const cli = createCli(options.argv0, colours && isTerminal(context.stdout), normalised[0]);
  let command;
  try {
    command = cli.process(normalised, context);
  } catch (error) {
    context.stderr.write(nameOptionValues(cli.error(error, { colored: colours && isTerminal(context.stderr) })));
    return ExitCode.Usage;
  }
  options.onCommand?.(command.path.find((part) => !part.startsWith('-')) ?? '', command);
  // Help is written whole, in one write: name the option values in it on the way out.
  const isHelp = command.help || normaliseArgs(args).some((arg) => arg === '-h' || arg === '--help');
  if (!isHelp) return cli.run(command, context);
  const stdout = context.stdout;
  const helpStdout = { write: (chunk: string) => stdout.write(nameOptionValues(chunk)) } as unknown as typeof stdout;
  return cli.run(command, { ...context, stdout: helpStdout });
}
