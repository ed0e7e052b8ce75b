import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { regionOfZone } from '../../core/zones';
import type { AccountClouds } from '../../engine/cloud';
import type { Kube, StoredConfig } from '../../engine/kube';
import type { ConfigReader } from '../../engine/kube/direct';
import { ExitCode } from '../exit-codes';
import { describeCause } from '../../engine/provisioning/errors';
import { checkOutput, objectFormat, parseJsonPathTemplate, renderObject } from '../render/output';
import { renderStatus, renderStatusRows, STATUS_FORMATS, statusTable } from '../render/status-table';
import { statusView } from '../render/status-view';
import { ClusterCommand, isDuration, parseDuration } from './base';

const WATCH_INTERVAL_MS = 2_000;
// With --refresh every round reads the cloud: fewer rounds, so the rate limits are never near.
const WATCH_REFRESH_INTERVAL_MS = 5_000;

/** What one round of `status` read: the object, or why there is none. */
type Reading = { config: StoredConfig } | { error: string };

export class StatusCommand extends ClusterCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    description: 'Show the PrivateLink links of every cluster',
    details: `
      Reads asmpvlconfig/default and prints one row per ACK cluster: the zones its vSwitches share
      with the ASM vSwitches, the API-server link and the Pilot link (endpoint status / connection
      status), whether its endpoint domain is in its API server certificate (SAN), the service mesh's own
      state of the cluster (MESH: running, starting, failed with what is missing, not added; as recorded
      by connect or --refresh, so no cloud call is made without --refresh), and an overall line with
      notes on what to do. The overall line is Available only when the mesh runs every cluster. \`-o wide\` adds the endpoint and service ids and domains; \`-o json\`
      and \`-o yaml\` print the whole object as \`kubectl get -o json|yaml\` does (its status is the vendor's
      contract), \`-o name\` its name, and \`-o jsonpath=TEMPLATE\` what a kubectl JSONPath template selects.

      \`--refresh\` reads the cloud and rewrites the status first, changing nothing in the cloud
      (needs cloud credentials; the region is \`--region\`, else ALIBABA_CLOUD_REGION_ID, else the
      region of the spec's zones). \`-w\` (\`--watch\`) keeps reading and prints each change until
      interrupted, as \`kubectl get -w\` does; \`--wait\` redraws until everything is Available or
      \`--timeout\` passes (\`kubectl wait --for=jsonpath='{.status.status}'=Available asmpvlconfig/default\`
      waits the same way).

      Exit code: the table (and \`--wait\`) exits 0 when every cluster in the spec is Available (both
      links Active and Connected and the mesh running it, in a status computed from the current spec)
      and 1 when anything is not yet Available; \`-o json|yaml|name|jsonpath\` exit 0 whenever the
      object was read, as \`kubectl get\` does; 1 on an error; 2 when the command line is wrong.
    `,
    examples: [
      ['Show the table', '$0 status'],
      ['Ids and domains too', '$0 status -o wide'],
      ['The whole object, as kubectl get -o json prints it', '$0 status -o json'],
      ['One field, for scripts', "$0 status -o jsonpath='{.status.status}'"],
      [
        'Each cluster and its API-server link, no header',
        '$0 status -o jsonpath=\'{range .status.clusters[*]}{.clusterId} {.pvlEndpoint.connectionStatus}{"\\n"}{end}\'',
      ],
      ['Read the cloud again and rewrite the status', '$0 status --refresh'],
      ['Print each change until interrupted', '$0 status -w'],
      ['Wait up to 15 minutes for Available, e.g. after connect --no-wait', '$0 status --wait --timeout 15m'],
      ['Gate a script on the links', '$0 status >/dev/null && echo ready'],
    ],
  });

  output = Option.String('-o,--output', 'table', {
    description: 'table, wide, json, yaml (the whole object, as kubectl get prints it), name or jsonpath=TEMPLATE',
    validator: t.makeValidator<unknown, string>({
      test: (value, state): value is string => {
        const problem = typeof value === 'string' ? checkOutput(value, STATUS_FORMATS) : '-o: expected a format';
        if (problem) state?.errors?.push(`.: ${problem}`);
        return problem === undefined;
      },
    }),
  });
  noHeaders = Option.Boolean('--no-headers', false, {
    description: 'Print the cluster rows only: no header, no summary lines',
  });
  refresh = Option.Boolean('--refresh', false, {
    description: 'Read the cloud and rewrite the status before printing it',
  });
  watch = Option.Boolean('-w,--watch', false, {
    description: 'After printing, keep reading and print each change until interrupted, as kubectl get -w',
  });
  wait = Option.Boolean('--wait', false, {
    description: 'Redraw until every cluster is Available (exit 0) or --timeout passes (exit 1)',
  });
  timeout = Option.String('--timeout', '10m', {
    description: 'How long --wait waits, e.g. 90s or 10m',
    validator: isDuration,
  });
  meshId = Option.String('--mesh-id', {
    description: 'With --refresh: the ASM instance (default: ASMPVL_MESH_ID, then what connect recorded on the object)',
  });

  private cloudClients?: AccountClouds;

  async execute(): Promise<number> {
    try {
      // A template that cannot be read fails before anything is fetched, as in kubectl.
      const format = objectFormat(this.output);
      if (typeof format === 'object') parseJsonPathTemplate(format.jsonpath);
      // --refresh writes through the client; a plain read may go direct (base.ts configReader).
      const reader = this.refresh ? await this.kube() : await this.configReader();
      if (this.watch) return await this.watchChanges(reader);
      return this.wait ? await this.waitUntilAvailable(reader) : await this.showOnce(reader);
    } catch (error) {
      // A cloud error's own text carries its code, request id and next step.
      return this.report(new Error(describeCause(error)));
    }
  }

  private async showOnce(reader: ConfigReader): Promise<number> {
    const reading = await this.read(reader);
    if ('error' in reading) {
      this.context.stderr.write(`error: ${reading.error}\n`);
      return ExitCode.Failed;
    }
    this.context.stdout.write(this.render(reading.config));
    // As kubectl get: a data form exits 0 once the read worked; the table answers "is it Available?".
    if (this.isData()) return ExitCode.Ok;
    return statusView(reading.config).available ? ExitCode.Ok : ExitCode.Failed;
  }

  /**
   * `-w`: the object as now, then each change as it comes, until interrupted (Ctrl-C), as
   * `kubectl get -w` prints. The table's header is printed once; after it, each change prints the
   * rows that changed and the overall line when it changed. A data form prints the whole object again.
   */
  private async watchChanges(reader: ConfigReader): Promise<number> {
    let shown: { rows: Set<string>; overall?: string; data?: string } | undefined;
    let lastWait = '';
    for (;;) {
      const reading = await this.read(reader);
      if ('error' in reading) {
        if (reading.error !== lastWait) this.context.stderr.write(`waiting: ${reading.error}\n`);
        lastWait = reading.error;
      } else if (this.isData()) {
        const data = this.render(reading.config);
        const separator = shown === undefined ? '' : this.output === 'yaml' ? '---\n' : '';
        if (data !== shown?.data) this.context.stdout.write(`${separator}${data}`);
        shown = { rows: new Set(), data };
      } else {
        const { rows, overall } = this.watchedLines(reading.config);
        if (shown === undefined) this.context.stdout.write(this.render(reading.config));
        else {
          const changed = rows.filter((row) => !shown!.rows.has(row));
          if (overall !== shown.overall && overall !== undefined) changed.push(overall);
          if (changed.length > 0) this.context.stdout.write(`${changed.join('\n')}\n`);
        }
        shown = { rows: new Set(rows), overall };
      }
      await sleep(this.intervalMs());
    }
  }

  /** The lines of the table -w compares between readings: the rows as printed, and the overall line (none with --no-headers). */
  private watchedLines(config: StoredConfig): { rows: string[]; overall?: string } {
    const wide = this.output === 'wide';
    if (this.noHeaders) return { rows: renderStatusRows(config, { wide }).split('\n').filter(Boolean) };
    const table = statusTable(config, { wide });
    return { rows: table.rows, overall: table.summary.find((line) => line.startsWith('Overall: ')) };
  }

  private async waitUntilAvailable(reader: ConfigReader): Promise<number> {
    const deadline = Date.now() + (parseDuration(this.timeout) ?? 0);
    const started = Date.now();
    const separator = this.output === 'yaml' ? '---\n' : this.output === 'json' ? '' : '\n';
    const screen = new Redraw(this.context.stdout, isTerminal(this.context.stdout) && !this.isData(), separator);
    let lastWait = '';
    for (;;) {
      const reading = await this.read(reader);
      if ('error' in reading) {
        // Not there yet (a connect may be about to create it): say so once, on stderr, and keep waiting.
        if (reading.error !== lastWait) this.context.stderr.write(`waiting: ${reading.error}\n`);
        lastWait = reading.error;
      } else {
        const body = this.render(reading.config);
        screen.show(body, this.header(started));
        if (statusView(reading.config).available) return ExitCode.Ok;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.context.stderr.write(
          `error: not Available after ${this.timeout} (--timeout)${'error' in reading ? '' : '; the table says what is missing'}\n`,
        );
        return ExitCode.Failed;
      }
      await sleep(Math.min(this.intervalMs(), left));
    }
  }

  /** The line above a redrawn table on a terminal, like watch(1)'s. */
  private header(started: number): string {
    const elapsed = Math.round((Date.now() - started) / 1000);
    return `Every ${this.intervalMs() / 1000}s for up to ${this.timeout}: kubectl asmpvl status --wait${this.refresh ? ' --refresh' : ''} (${elapsed}s so far)\n\n`;
  }

  private intervalMs(): number {
    return this.refresh ? WATCH_REFRESH_INTERVAL_MS : WATCH_INTERVAL_MS;
  }

  private isData(): boolean {
    return objectFormat(this.output) !== undefined;
  }

  /** The object in the -o form: one of ours (table, wide), or one of kubectl's (output.ts). */
  private render(config: StoredConfig): string {
    const format = objectFormat(this.output);
    if (format) return renderObject(config, format);
    if (this.noHeaders) return renderStatusRows(config, { wide: this.output === 'wide' });
    return renderStatus(config, this.output as (typeof STATUS_FORMATS)[number]);
  }

  /** One round: the object as stored, or as rewritten from the cloud with --refresh. */
  private async read(reader: ConfigReader): Promise<Reading> {
    const config = await reader.getConfig();
    if (!config)
      return {
        error:
          'there is no asmpvlconfig/default yet: create it with kubectl asmpvl connect <clusterId> --vswitch vsw-...',
      };
    return { config: this.refresh ? await this.refreshed(await this.kube(), config) : config };
  }

  /** One set of cloud clients for every round; the region is --region, ALIBABA_CLOUD_REGION_ID, or the spec's. */
  private async refreshCloud(config: StoredConfig): Promise<AccountClouds> {
    if (this.cloudClients) return this.cloudClients;
    const { createAccountClouds, processPacer, resolveCloudSettings } = await import('../../engine/cloud');
    const region = this.region ?? this.context.env.ALIBABA_CLOUD_REGION_ID ?? regionOfSpec(config);
    this.cloudClients = createAccountClouds({
      ...resolveCloudSettings(
        { region, profile: this.profile, cloudEndpoint: this.cloudEndpoint, clusterRoles: this.clusterRole },
        this.context.env,
      ),
      pacing: processPacer(this.context.env),
    });
    return this.cloudClients;
  }

  /** Reads the cloud and rewrites the status (changing nothing in the cloud), then reads the object back. */
  private async refreshed(kube: Kube, config: StoredConfig): Promise<StoredConfig> {
    // Loaded only here: the provisioning engine and the cloud SDKs are most of the bundle.
    const { refreshStatus } = await import('../../engine/provisioning');
    const { KubeStore } = await import('../../engine/kube/store');
    const { FIELD_MANAGER } = await import('../../engine/kube');
    const { CLI_ADVICE } = await import('../../engine/provisioning/advice');
    await refreshStatus(new KubeStore(kube, FIELD_MANAGER), await this.refreshCloud(config), {
      meshId: this.meshId,
      env: this.context.env,
      advice: CLI_ADVICE,
    });
    const refreshed = await kube.getConfig();
    if (!refreshed) throw new Error('asmpvlconfig/default was deleted while its status was being refreshed');
    return refreshed;
  }
}

/** The region of the spec's zones (`cn-hangzhou-j` is in `cn-hangzhou`), when there are any. */
function regionOfSpec(config: StoredConfig | undefined): string | undefined {
  const zones = [
    ...(config?.spec.asmVpcEndpoint?.vSwitches ?? []),
    ...(config?.spec.ackVpcEndpoint ?? []).flatMap((cluster) => cluster.vSwitches),
  ].map((vSwitch) => vSwitch.zoneId);
  return zones.map(regionOfZone).find((region) => region !== undefined);
}

function isTerminal(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Shows successive renderings: on a terminal each replaces the last in place (cursor up, erase
 * down) under a header; elsewhere (a pipe, a log, -o json) a rendering is printed only when it
 * differs from the last, so a log shows each change once.
 */
class Redraw {
  private lastLines = 0;
  private last?: string;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly inPlace: boolean,
    private readonly separator: string,
  ) {}

  show(body: string, header: string): void {
    if (this.inPlace) {
      const text = `${header}${body}`;
      const up = this.lastLines > 0 ? `\x1b[${this.lastLines}F\x1b[J` : '';
      this.out.write(`${up}${text}`);
      this.lastLines = text.split('\n').length - 1;
      return;
    }
    if (body === this.last) return;
    this.out.write(`${this.last === undefined ? '' : this.separator}${body}`);
    this.last = body;
  }
}
