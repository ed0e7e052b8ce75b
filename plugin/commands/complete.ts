import { Command, Option } from 'clipanion';
import { type CommandSpec, complete, flagValue, formatCompletion, type OptionSpec } from '../completion/complete';

/** Commands whose arguments are cluster ids of asmpvlconfig/default. */
const CLUSTER_ID_COMMANDS = new Set(['connect', 'disconnect', 'sync-san']);
const OUTPUTS: Record<string, string[]> = {
  status: ['table', 'wide', 'json', 'yaml', 'name', 'jsonpath='],
};
/** A cluster lookup must not hold up a shell waiting for a completion. */
const LOOKUP_TIMEOUT_MS = 3_000;

/**
 * `kubectl asmpvl __complete WORDS... PARTIAL`: what kubectl_complete-asmpvl asks (kubectl 1.26+
 * runs it to complete a plugin's arguments). Hidden from help: it has no usage.
 */
export class CompleteCommand extends Command {
  static override paths = [['__complete']];
  words = Option.Proxy();

  async execute(): Promise<number> {
    const words = this.words.length > 0 ? this.words : [''];
    const completion = await complete(words, this.commandSpecs(), {
      contexts: () => this.contexts(words),
      clusterIds: () => this.clusterIds(words),
    });
    this.context.stdout.write(formatCompletion(completion));
    return 0;
  }

  /** Every command with its options, read from the CLI's own definitions (one source for both). */
  private commandSpecs(): CommandSpec[] {
    return this.cli.definitions().flatMap((definition) => {
      const word = definition.path.split(' ').pop() ?? '';
      if (!/^[a-z]/.test(word)) return [];
      const options: OptionSpec[] = definition.options.map((option) => ({
        names: option.definition
          .replace(/[<>[\]]/g, '')
          .split(' ')[0]!
          .split(','),
        takesValue: option.definition.includes('#0'),
        description: option.description ?? '',
      }));
      return [
        {
          word,
          description: (definition.description ?? '').trim(),
          options,
          outputs: OUTPUTS[word],
          takesClusterIds: CLUSTER_ID_COMMANDS.has(word),
        },
      ];
    });
  }

  private settings(words: string[]) {
    return {
      kubeconfig: flagValue(words, '--kubeconfig'),
      kubeconfigEnv: this.context.env.KUBECONFIG,
      home: this.context.env.HOME ?? this.context.env.USERPROFILE,
      context: flagValue(words, '--context'),
      requestTimeoutMs: LOOKUP_TIMEOUT_MS,
    };
  }

  private async contexts(words: string[]): Promise<string[]> {
    try {
      const { kubeconfigContexts } = await import('../../engine/kube');
      return kubeconfigContexts(this.settings(words));
    } catch {
      return [];
    }
  }

  private async clusterIds(words: string[]): Promise<string[]> {
    try {
      const { Kube } = await import('../../engine/kube');
      const config = await Kube.connect(this.settings(words)).getConfig();
      return (config?.spec.ackVpcEndpoint ?? []).map((cluster) => cluster.clusterId);
    } catch {
      return [];
    }
  }
}
