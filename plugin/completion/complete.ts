/**
 * Shell completion answers in the format kubectl reads from a plugin's `kubectl_complete-<name>`
 * (Cobra's `__complete`): one candidate per line, optionally `value<TAB>description`, then a line
 * `:<directive>`. A pure function of the words typed so far, the commands, and two lookups.
 */

/** Cobra's ShellCompDirective values that we use. */
export const Directive = {
  /** Let the shell complete file names (for a path). */
  Default: 0,
  /** Only our candidates; no file names. */
  NoFileComp: 4,
} as const;

export interface OptionSpec {
  /** Every spelling, e.g. ['-o', '--output']. */
  names: string[];
  takesValue: boolean;
  description: string;
}

export interface CommandSpec {
  word: string;
  description: string;
  options: OptionSpec[];
  /** Values for -o, when the command has it. */
  outputs?: string[];
  /** Whether its positional arguments are cluster ids of the object. */
  takesClusterIds?: boolean;
}

/** What completion may look up; each answers [] when it cannot (no kubeconfig, no server). */
export interface CompletionSources {
  contexts(): Promise<string[]>;
  clusterIds(): Promise<string[]>;
}

export interface Completion {
  candidates: string[];
  directive: number;
}

/** Options whose value is a file: the shell completes those. */
const FILE_OPTIONS = new Set(['--kubeconfig', '--certificate-authority', '-f', '--filename']);

function startingWith(prefix: string, values: string[]): string[] {
  return values.filter((value) => value.startsWith(prefix));
}

/** The candidates for the last word of `words` (the one being typed; '' for a new word). */
export async function complete(
  words: string[],
  commands: CommandSpec[],
  sources: CompletionSources,
): Promise<Completion> {
  const typing = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  const command = commands.find((c) => before.includes(c.word));
  const only = (candidates: string[]): Completion => ({ candidates, directive: Directive.NoFileComp });
  if (!command) {
    if (typing.startsWith('-')) return only(startingWith(typing, ['--help', '--version']));
    return only(
      startingWith(
        typing,
        commands.map((c) => `${c.word}\t${c.description}`),
      ),
    );
  }
  const previous = before[before.length - 1] ?? '';
  const valueOf = command.options.find((o) => o.takesValue && o.names.includes(previous));
  if (valueOf) return completeValue(valueOf, typing, command, sources);
  if (typing.startsWith('-')) {
    const flags = command.options.flatMap((o) => o.names.map((name) => `${name}\t${o.description}`));
    return only(startingWith(typing, [...flags, "--help\tShow this command's help"]));
  }
  if (command.takesClusterIds) {
    const given = new Set(before);
    return only(
      startingWith(
        typing,
        (await sources.clusterIds()).filter((id) => !given.has(id)),
      ),
    );
  }
  return only([]);
}

async function completeValue(
  option: OptionSpec,
  typing: string,
  command: CommandSpec,
  sources: CompletionSources,
): Promise<Completion> {
  if (option.names.some((name) => FILE_OPTIONS.has(name))) return { candidates: [], directive: Directive.Default };
  const only = (candidates: string[]): Completion => ({
    candidates: startingWith(typing, candidates),
    directive: Directive.NoFileComp,
  });
  if (option.names.includes('--context')) return only(await sources.contexts());
  if (option.names.includes('--output')) return only(command.outputs ?? []);
  return only([]);
}

/** The answer as kubectl reads it. */
export function formatCompletion(completion: Completion): string {
  return `${completion.candidates.map((c) => `${c}\n`).join('')}:${completion.directive}\n`;
}

/** The value of `--name value` or `--name=value` among the words, if given. */
export function flagValue(words: string[], name: string): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === name) return words[i + 1];
    if (word.startsWith(`${name}=`)) return word.slice(name.length + 1);
  }
  return undefined;
}
