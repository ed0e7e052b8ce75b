/**
 * Help and usage errors as kubectl writes them: a command's help lists its own flags (the flags every
 * cluster command shares are on one `kubectl asmpvl options` page, like `kubectl options`), and a
 * command line that cannot be parsed gets one `error: ...` line and where to read more. Pure
 * functions of the CLI's own definitions, so the help cannot drift from the parser.
 */

/** One command as the CLI defines it (clipanion's `Cli.definitions()`). */
export interface CommandDefinition {
  path: string;
  usage: string;
  description?: string;
  details?: string;
  examples?: Array<[string, string]>;
  options: Array<{ definition: string; description?: string }>;
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

/** The flag names of an option definition: `-o,--output #0` has `-o` and `--output`. */
export function flagNames(definition: string): string[] {
  return definition
    .replace(/[<>[\]]/g, '')
    .split(' ')[0]!
    .split(',');
}

/** `-o, --output FORMAT` for `-o,--output #0`; a long-only flag is indented past the short column, as kubectl does. */
function flagColumn(definition: string): string {
  const flags = definition.split(' ')[0]!;
  const takesValue = definition.includes('#0');
  const names = flags.split(',');
  const shown = names.length > 1 || names[0]!.startsWith('--') ? names.join(', ') : names[0]!;
  const indent = names[0]!.startsWith('--') ? '    ' : '';
  return `${indent}${shown}${takesValue ? ` ${VALUE_NAMES[flags] ?? 'VALUE'}` : ''}`;
}

function optionTable(options: CommandDefinition['options']): string {
  const rows = options.map((option) => [flagColumn(option.definition), (option.description ?? '').trim()] as const);
  const width = Math.max(0, ...rows.map(([flags]) => flags.length));
  return rows.map(([flags, description]) => `  ${flags.padEnd(width + 3)}${description}`.trimEnd()).join('\n');
}

/** The global flags (those of `options`) of a set of command definitions. */
export function globalFlags(definitions: readonly CommandDefinition[]): Set<string> {
  const page = definitions.find((definition) => definition.path.endsWith(' options'));
  return new Set(page?.options.map((option) => option.definition) ?? []);
}

/** `kubectl asmpvl status --help`: what it does, examples, its own flags, usage, and where the globals are. */
export function commandHelp(definition: CommandDefinition, globals: ReadonlySet<string>, binaryName: string): string {
  const own = definition.options.filter((option) => !globals.has(option.definition));
  const takesGlobals = definition.options.some((option) => globals.has(option.definition));
  const sections = [(definition.description ?? '').trim()];
  if (definition.details) sections.push(definition.details.trimEnd());
  if (definition.examples?.length)
    sections.push(
      `Examples:\n${definition.examples.map(([label, line]) => `  # ${label.trim()}\n  ${line}`).join('\n\n')}`,
    );
  if (own.length > 0) sections.push(`Options:\n${optionTable(own)}`);
  sections.push(`Usage:\n  ${definition.usage}${definition.options.length > 0 ? ' [options]' : ''}`);
  if (takesGlobals)
    sections.push(
      `Use "${binaryName} options" for a list of global command-line options (applies to every command that talks to a cluster or the cloud).`,
    );
  return `${sections.join('\n\n')}\n`;
}

/** `kubectl asmpvl options`: the flags every cluster command takes. */
export function optionsHelp(definition: CommandDefinition): string {
  return `The following options can be passed to any command that talks to a cluster or the cloud:\n\n${optionTable(definition.options)}\n`;
}

/** `kubectl asmpvl --help`: the commands, one line each, then where to read more. */
export function overviewHelp(definitions: readonly CommandDefinition[], label: string, binaryName: string): string {
  const rows = definitions
    .filter((definition) => !definition.path.endsWith(' options'))
    .map((definition) => [definition.path.slice(binaryName.length + 1), (definition.description ?? '').trim()]);
  const width = Math.max(...rows.map(([word]) => word!.length));
  return [
    label,
    '',
    'Commands:',
    ...rows.map(([word, description]) => `  ${word!.padEnd(width + 3)}${description}`),
    '',
    'Usage:',
    `  ${binaryName} [flags] [options]`,
    '',
    `Use "${binaryName} <command> --help" for more information about a given command.`,
    `Use "${binaryName} options" for a list of global command-line options (applies to every command that talks to a cluster or the cloud).`,
    '',
  ].join('\n');
}

/** Edit distance, for "did you mean" (cobra suggests within 2, or by prefix). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** `error: unknown command "stauts" for "kubectl asmpvl"` with cobra's suggestions among the visible words. */
export function unknownCommandText(word: string, visibleWords: readonly string[], binaryName: string): string {
  const close = visibleWords.filter(
    (candidate) => distance(word.toLowerCase(), candidate) <= 2 || candidate.startsWith(word.toLowerCase()),
  );
  const suggestion = close.length > 0 ? `\nDid you mean this?\n${close.map((c) => `\t${c}`).join('\n')}\n\n` : '';
  return `error: unknown command "${word}" for "${binaryName}"\n${suggestion}See '${binaryName} --help' for usage.\n`;
}

/** What one of clipanion's parse errors says, in kubectl's words (pflag's and cobra's). */
function kubectlWords(message: string): string {
  const reason = message.split('\n')[0]!;
  let match: RegExpExecArray | null;
  if ((match = /^(?:Unsupported|Invalid) option name \("(--[^"=]+)[^"]*"\)/.exec(reason)))
    return `unknown flag: ${match[1]}`;
  if ((match = /^(?:Unsupported|Invalid) option name \("-([^"-])[^"]*"\)/.exec(reason)))
    return `unknown shorthand flag: '${match[1]}' in -${match[1]}`;
  if ((match = /^Not enough arguments to option (--\S+?)\.$/.exec(reason)))
    return `flag needs an argument: ${match[1]}`;
  if ((match = /^Not enough arguments to option -(\S)\.$/.exec(reason)))
    return `flag needs an argument: '${match[1]}' in -${match[1]}`;
  if ((match = /^Extraneous positional argument \("(.*)"\)/.exec(reason))) return `unexpected argument: ${match[1]}`;
  if (/^Not enough positional arguments/.test(reason)) {
    // The usage line ends with the positionals: `... <clusterId> ...`.
    const wanted = /((?: ?<[^<>-][^<>]*>(?: \.\.\.)?)+)$/.exec(message.split('\n')[2] ?? '')?.[1]?.trim();
    return `expected ${wanted ?? 'more arguments'}`;
  }
  // A command line that left a required flag out: clipanion finds no command, the candidate's usage has `<-f,--filename #0>`.
  const required = [...message.matchAll(/<(-[\w-]+(?:,-[\w-]+)*) #0>/g)].map((found) => found[1]!.split(',').pop()!);
  if (/^Command not found/.test(reason) && required.length > 0)
    return `required flag(s) ${required.map((flag) => `"${flag.replace(/^-+/, '')}"`).join(', ')} not set`;
  // A validator's complaint: `Invalid value for -o: expected ...`, or its name then one problem a line.
  if ((match = /^Invalid value for (\S+?): (.+)$/.exec(reason)))
    return `invalid argument for "${match[1]}" flag: ${match[2]}`;
  if ((match = /^Invalid value for (\S+?):$/.exec(reason))) {
    const problem = message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^- (?:\.: )?/, '').trim())
      .filter(Boolean)
      .join('; ');
    return `invalid argument for "${match[1]}" flag: ${problem}`;
  }
  return reason.replace(/\.$/, '');
}

/** A command line that could not be parsed: kubectl's `error: unknown flag: --x`, then where the usage is. */
export function usageErrorText(message: string, commandPath: string): string {
  return `error: ${kubectlWords(message)}\nSee '${commandPath} --help' for usage.\n`;
}

/** The command words help lists and suggestions may name (hidden commands have no definition). */
export function visibleWords(definitions: readonly CommandDefinition[], binaryName: string): string[] {
  return definitions
    .map((definition) => definition.path.slice(binaryName.length + 1))
    .filter((word) => /^[a-z]/.test(word));
}

/** The help page for `word` (the overview without one), or undefined for a word that is no visible command. */
export function helpPage(
  definitions: readonly CommandDefinition[],
  word: string | undefined,
  label: string,
  binaryName: string,
): string | undefined {
  if (word === undefined) return overviewHelp(definitions, label, binaryName);
  const definition = definitions.find((candidate) => candidate.path === `${binaryName} ${word}`);
  if (!definition || !/^[a-z]/.test(word)) return undefined;
  if (word === 'options') return optionsHelp(definition);
  return commandHelp(definition, globalFlags(definitions), binaryName);
}
