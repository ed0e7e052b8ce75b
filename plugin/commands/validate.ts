import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { checkConfig, formatFinding, type Finding, KIND, ZONE_POLICIES } from '../../core';
import { ExitCode } from '../exit-codes';
import { type ManifestObject, ManifestReadError, readManifests } from '../manifests';
import { terminalSafeLine } from '../render/sanitize';

interface ObjectReport {
  source: string;
  index: number;
  name: string;
  valid: boolean;
  errors: Finding[];
  warnings: Finding[];
}

function objectName(object: unknown): string {
  const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : '<unnamed>';
}

function isOtherKind(object: unknown): boolean {
  const kind = (object as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && kind !== KIND;
}

export class ValidateCommand extends Command {
  static override paths = [['validate']];
  static override usage = Command.Usage({
    description: 'Check ASMPvlConfig manifests offline, with the same rules as the admission webhook',
    details: `
      Reads YAML or JSON (several documents, or a List) from files, directories or standard input (at
      most 8 MiB each; YAML aliases expand to at most 1000 nodes) and checks each
      ASMPvlConfig: the schema, the name \`default\`, zone pairing, one region, no duplicate clusters or
      vSwitches. Needs no cluster and no cloud credentials. Objects of other kinds are skipped.

      Exit code: 0 when every object is valid (warnings go to stderr), 1 when any object is invalid,
      2 when a file cannot be read or parsed, or the command line is wrong.
    `,
    examples: [
      ['Check a file', '$0 validate -f asmpvlconfig.yaml'],
      [
        'Check standard input, requiring every vSwitch to pair',
        'kubectl get asmpvl default -o yaml | $0 validate -f - --zone-policy strict',
      ],
      ['Machine-readable findings', '$0 validate -f config.yaml -o json'],
      ['Every manifest under a directory, as kubectl apply takes them', '$0 validate -f deploy/ -R'],
      ['Two files', '$0 validate -f base.yaml,overlay.yaml'],
    ],
  });

  filenames = Option.Array('-f,--filename', {
    required: true,
    description:
      'File, directory (its .yaml, .yml and .json files) or comma-separated list to check; - reads standard input. Repeatable.',
  });
  recursive = Option.Boolean('-R,--recursive', false, {
    description: 'Also read the subdirectories of a directory given to -f, as kubectl apply -R does',
  });
  zonePolicy = Option.String('--zone-policy', 'overlap', {
    description:
      'overlap: an unpaired vSwitch is a warning; strict: every vSwitch must pair with a zone on the other side',
    validator: t.isEnum(ZONE_POLICIES),
  });
  output = Option.String('-o,--output', 'text', {
    description: 'text or json',
    validator: t.isEnum(['text', 'json'] as const),
  });

  async execute(): Promise<number> {
    let objects: ManifestObject[];
    try {
      objects = await readManifests(this.filenames, this.context.stdin, { recursive: this.recursive });
    } catch (error) {
      if (!(error instanceof ManifestReadError)) throw error;
      this.context.stderr.write(`error: ${error.message}\n`);
      return ExitCode.Usage;
    }
    const candidates = objects.filter(({ object }) => !isOtherKind(object));
    if (candidates.length === 0) {
      this.context.stderr.write(`error: no ${KIND} found in ${this.filenames.join(', ')}\n`);
      return ExitCode.Usage;
    }
    const reports = candidates.map((entry) => this.check(entry));
    if (this.output === 'json')
      this.context.stdout.write(
        `${JSON.stringify({ valid: reports.every((report) => report.valid), objects: reports }, null, 2)}\n`,
      );
    else this.printText(reports, objects.length - candidates.length);
    return reports.every((report) => report.valid) ? ExitCode.Ok : ExitCode.Failed;
  }

  private check({ source, index, object }: ManifestObject): ObjectReport {
    const result = checkConfig(object, { zonePolicy: this.zonePolicy });
    return {
      source,
      index,
      name: objectName(object),
      valid: result.errors.length === 0,
      errors: result.errors,
      warnings: result.warnings,
    };
  }

  private printText(reports: ObjectReport[], skipped: number): void {
    for (const report of reports) {
      // Names and findings quote what the manifest holds (often fetched from a cluster): shown, never obeyed.
      const label = terminalSafeLine(`${report.source}[${report.index}] ${KIND.toLowerCase()}/${report.name}`);
      for (const warning of report.warnings)
        this.context.stderr.write(`warning: ${label}: ${terminalSafeLine(formatFinding(warning))}\n`);
      for (const error of report.errors)
        this.context.stderr.write(`error: ${label}: ${terminalSafeLine(formatFinding(error))}\n`);
      if (report.valid) this.context.stdout.write(`${label}: valid\n`);
    }
    if (skipped > 0) this.context.stderr.write(`note: skipped ${skipped} object(s) of other kinds\n`);
  }
}
