/**
 * The status of `asmpvlconfig/default` as text: a kubectl-style table (upper-case headers, columns
 * separated by spaces, no borders), or the status object as JSON or YAML.
 * Pure: the same object always renders the same text.
 */
import { reconcilerLine, type WithMetadata } from './reconciler';
import { stringify } from 'yaml';
import type { ASMPvlConfig } from '../../core/generated/asmpvlconfig';
import { terminalSafeLine, terminalSafeText } from './sanitize';
import { type ClusterRow, type SanState, statusView } from './status-view';

export type StatusFormat = 'table' | 'wide' | 'json' | 'yaml';
export const STATUS_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;

type Config = ASMPvlConfig & { metadata: { generation?: number } };

const SAN_TEXT: Record<SanState, string> = {
  synced: 'synced',
  'not-synced': 'not synced',
  waiting: 'waiting for link',
  off: 'off (sanSync: Disabled)',
  unknown: 'unknown',
};

const dash = (value: string | undefined) => value || '-';

function cells(row: ClusterRow, wide: boolean): string[] {
  const cluster = row.inSpec ? row.clusterId : `${row.clusterId} (not in spec)`;
  const zones = row.inSpec ? row.pairedZones.join(',') || 'none' : '-';
  const base = [
    cluster,
    zones,
    row.apiServer.text,
    row.pilot.text,
    row.inSpec ? SAN_TEXT[row.san] : '-',
    row.mesh.state === 'unknown' && !row.inSpec ? '-' : row.mesh.text,
  ];
  if (!wide) return base;
  return [
    ...base,
    dash(row.apiServer.serviceId),
    dash(row.apiServer.endpointId),
    dash(row.apiServer.domainName),
    dash(row.pilot.endpointId),
    dash(row.pilot.domainName),
  ];
}

const HEADERS = ['CLUSTER', 'PAIRED ZONES', 'API SERVER LINK', 'PILOT LINK', 'SAN', 'MESH'];
const WIDE_HEADERS = [
  'API SERVER SERVICE',
  'API SERVER ENDPOINT',
  'API SERVER DOMAIN',
  'PILOT ENDPOINT',
  'PILOT DOMAIN',
];

/**
 * Columns padded to their widest cell plus three spaces, as kubectl's tables. Written here rather
 * than with cli-table3, which took ~75 ms of a 100-cluster `status` (a third of its start).
 * Without a header (`--no-headers`) the columns are as wide as the rows alone need, as kubectl's.
 */
function table(rows: ClusterRow[], wide: boolean, headers: boolean): string[] {
  // Cells hold cluster and cloud text (ids, states, domains): shown, never obeyed by the terminal.
  const lines = [
    ...(headers ? [wide ? [...HEADERS, ...WIDE_HEADERS] : HEADERS] : []),
    ...rows.map((row) => cells(row, wide).map(terminalSafeLine)),
  ];
  if (lines.length === 0) return [];
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  return lines.map((line) =>
    line
      .map((cell, column) => cell.padEnd(widths[column]! + 3))
      .join('')
      .trimEnd(),
  );
}

/** The table's parts: its header line, one line per cluster, and the lines below (Pilot service, overall, notes). */
export interface StatusTable {
  header?: string;
  rows: string[];
  summary: string[];
}

/**
 * The table `kubectl asmpvl status` prints, in parts: per cluster its paired zones, API-server link
 * and Pilot link (endpoint status / connection status), SANs, the mesh's own state of it
 * (status.mesh); then the shared Pilot service, the overall line, and notes saying what to do.
 * `wide` adds the endpoint and service ids and domains.
 */
export function statusTable(config: Config, options: { wide?: boolean } = {}): StatusTable {
  const wide = options.wide ?? false;
  const view = statusView(config);
  const [header, ...rows] = table(view.rows, wide, true);
  const summary: string[] = [];
  if (view.rows.length === 0)
    summary.push('No clusters in asmpvlconfig/default: add one with kubectl asmpvl connect <clusterId>.');
  summary.push('');
  const service = view.pilotService;
  const serviceText =
    service?.id || service?.status
      ? `${service.id ?? 'unknown id'} ${service.status ?? 'Unknown'}${wide && service.name ? ` (${service.name})` : ''}`
      : 'none';
  summary.push(`Pilot service: ${terminalSafeLine(serviceText)}`);
  summary.push(terminalSafeLine(`Overall: ${view.overall} (${view.summary})`));
  const reconciled = reconcilerLine(config as WithMetadata);
  if (reconciled) summary.push(terminalSafeLine(reconciled));
  // A note may span lines (one per cluster); its other control characters are shown, not obeyed.
  for (const note of view.notes) summary.push(`  - ${terminalSafeText(note)}`);
  return { header: view.rows.length > 0 ? header : undefined, rows, summary };
}

/** The whole table as `kubectl asmpvl status` prints it. */
export function renderStatusTable(config: Config, options: { wide?: boolean } = {}): string {
  const { header, rows, summary } = statusTable(config, options);
  return `${[...(header === undefined ? [] : [header]), ...rows, ...summary].join('\n')}\n`;
}

/** `--no-headers`: the cluster rows alone, one a line, as `kubectl get --no-headers` prints rows only. */
export function renderStatusRows(config: Config, options: { wide?: boolean } = {}): string {
  const rows = table(statusView(config).rows, options.wide ?? false, false);
  return rows.map((row) => `${row}\n`).join('');
}

/** The status object alone, as `-o json` or `-o yaml` prints it (`{}` when there is none yet). */
export function renderStatusDocument(config: Config, format: 'json' | 'yaml'): string {
  const status = config.status ?? {};
  return format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : stringify(status);
}

/** Any of the formats, for commands that take `-o`. */
export function renderStatus(config: Config, format: StatusFormat): string {
  if (format === 'json' || format === 'yaml') return renderStatusDocument(config, format);
  return renderStatusTable(config, { wide: format === 'wide' });
}
