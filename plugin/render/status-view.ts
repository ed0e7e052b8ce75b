/**
 * What `kubectl asmpvl status` shows, decided from the object alone: one row per cluster with its
 * paired zones, both links, its SANs and the mesh's own state of it, the shared Pilot service, the overall state and the notes
 * a person needs to act. Pure: the table, the exit code and `--watch` all read this one view.
 */
import type { ASMPvlConfig } from '../../core/generated/asmpvlconfig';
// core/zones, not core/index: the index loads the generated schema validators, which `status` never needs.
import { pairedZones } from '../../core/zones';

type Status = NonNullable<ASMPvlConfig['status']>;
type Condition = NonNullable<Status['conditions']>[number];

interface EndpointRecord {
  id?: string;
  status?: string;
  connectionStatus?: string;
  domainName?: string;
}

interface ServiceRecord {
  id?: string;
  name?: string;
  status?: string;
}

/** connected: Active and Connected; pending: on its way; broken: going or gone; absent: nothing recorded. */
export type LinkState = 'connected' | 'pending' | 'broken' | 'absent';

export interface LinkView {
  state: LinkState;
  /** `Active/Connected`, `Creating/Pending (service Creating)`, `none`. */
  text: string;
  serviceId?: string;
  endpointId?: string;
  domainName?: string;
}

/** The service mesh's own verdict on a cluster, as recorded in status.mesh. */
export type MeshState = 'running' | 'joining' | 'not-running' | 'not-in-mesh' | 'unknown';

export interface MeshCell {
  state: MeshState;
  /** `running`, `failed (no SAN)`, `not added`, `unknown`. */
  text: string;
}

/** synced: the endpoint domain is in the API server certificate; off: spec.sanSync is Disabled. */
export type SanState = 'synced' | 'not-synced' | 'waiting' | 'off' | 'unknown';

export interface ClusterRow {
  clusterId: string;
  /** False for a cluster that status still records but the spec no longer lists (being disconnected). */
  inSpec: boolean;
  /** Zones both this cluster's vSwitches and the ASM vSwitches are in: where endpoints can go. */
  pairedZones: string[];
  apiServer: LinkView;
  pilot: LinkView;
  san: SanState;
  mesh: MeshCell;
}

export interface StatusView {
  rows: ClusterRow[];
  pilotService?: ServiceRecord;
  /** status.status as recorded, or `Unknown` when there is no status yet. */
  overall: string;
  /** Everything in the spec is Available in a status computed from the current spec: exit code 0. */
  available: boolean;
  /** `2 of 2 clusters connected`. */
  summary: string;
  /** What is wrong or stale, each a sentence saying what to do. */
  notes: string[];
}

// Connection and endpoint states that only lead away from a working link.
const BROKEN = new Set(['Disconnecting', 'Disconnected', 'Deleting', 'ServiceDeleted', 'Inactive', 'Failed']);

export const SAN_CONDITION = 'SANSynced';
export const MESH_CONDITION = 'MeshReady';

const MISSING_WORDS: Record<string, string> = {
  apiServerLink: 'no API-server link',
  pilotLink: 'no Pilot link',
  san: 'no SAN',
};
// Cluster states the docs list (running, starting, stopping, stopped, failed); these are on the way in.
const JOINING = new Set(['starting', 'pending', 'initial', 'creating', 'joining']);

/** The mesh's state of one cluster, from status.mesh (written by connect and status --refresh). */
function meshOf(status: Status | undefined, clusterId: string): MeshCell {
  const entry = status?.mesh?.clusters?.find((cluster) => cluster.clusterId === clusterId);
  if (!entry) return { state: 'unknown', text: 'unknown' };
  if (!entry.inMesh) return { state: 'not-in-mesh', text: 'not added' };
  const state = entry.state ?? 'unknown';
  if (state === 'running') return { state: 'running', text: 'running' };
  const missing = (entry.missing ?? []).map((gap) => MISSING_WORDS[gap] ?? gap);
  const text = missing.length > 0 ? `${state} (${missing.join(', ')})` : state;
  return { state: JOINING.has(state.toLowerCase()) ? 'joining' : 'not-running', text };
}

function linkView(service: ServiceRecord | undefined, endpoint: EndpointRecord | undefined): LinkView {
  const ids = { serviceId: service?.id, endpointId: endpoint?.id, domainName: endpoint?.domainName };
  const serviceNote = service?.status && service.status !== 'Active' ? ` (service ${service.status})` : '';
  if (!endpoint?.id && !endpoint?.status) {
    if (!service?.id && !service?.status) return { state: 'absent', text: 'none', ...ids };
    return {
      state: BROKEN.has(service.status ?? '') ? 'broken' : 'pending',
      text: `no endpoint (service ${service.status ?? 'Unknown'})`,
      ...ids,
    };
  }
  const text = `${endpoint.status ?? 'Unknown'}/${endpoint.connectionStatus ?? 'Unknown'}${serviceNote}`;
  if ([endpoint.status, endpoint.connectionStatus, service?.status].some((state) => BROKEN.has(state ?? '')))
    return { state: 'broken', text, ...ids };
  const serviceActive = service === undefined || service.status === 'Active';
  const connected = endpoint.status === 'Active' && endpoint.connectionStatus === 'Connected' && serviceActive;
  return { state: connected ? 'connected' : 'pending', text, ...ids };
}

function conditionOf(status: Status | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((condition) => condition.type === type);
}

/**
 * The SANs of one cluster. The status holds one SANSynced condition for all clusters (written by
 * engine/provisioning/status.ts): False names each cluster that lacks its domain ("c… lacks ep-…"),
 * Unknown names the clusters not read; a cluster the message does not name is fine. A message that
 * names no cluster (a failed run) is about all of them.
 */
function sanOf(config: ASMPvlConfig, clusterId: string, apiServer: LinkView): SanState {
  if (config.spec.sanSync === 'Disabled') return 'off';
  // The domain to add is the endpoint's: nothing to sync before the link is up.
  if (apiServer.state !== 'connected') return 'waiting';
  const condition = conditionOf(config.status, SAN_CONDITION);
  if (condition?.status === 'True') return 'synced';
  if (!condition) return 'unknown';
  const message = condition.message ?? '';
  const namesAnyCluster = (config.spec.ackVpcEndpoint ?? []).some((cluster) => message.includes(cluster.clusterId));
  const concerned = message.includes(clusterId) || !namesAnyCluster;
  if (!concerned) return 'synced';
  return condition.status === 'False' ? 'not-synced' : 'unknown';
}

function clusterIds(config: ASMPvlConfig): { id: string; inSpec: boolean }[] {
  const inSpec = (config.spec.ackVpcEndpoint ?? []).map((cluster) => cluster.clusterId);
  const recorded = [
    ...(config.status?.clusters ?? []),
    ...(config.status?.pilot?.clusters ?? []),
    ...(config.status?.mesh?.clusters ?? []),
  ].map((cluster) => cluster.clusterId);
  const leftovers = [...new Set(recorded)].filter((id) => !inSpec.includes(id));
  return [...inSpec.map((id) => ({ id, inSpec: true })), ...leftovers.map((id) => ({ id, inSpec: false }))];
}

function staleNote(config: ASMPvlConfig & { metadata: { generation?: number } }): string | undefined {
  const observed = config.status?.observedGeneration;
  const generation = config.metadata.generation;
  if (observed === undefined || generation === undefined || observed >= generation) return undefined;
  return `the status was computed for generation ${observed} of the spec, which is now at generation ${generation}: run kubectl asmpvl connect for the changed clusters, or kubectl asmpvl status --refresh to read the cloud again`;
}

const NOTE_LINES = 5;
// Ready repeats the lines of the link conditions; it is shown last, with only what they did not say.
const CONDITION_ORDER = ['APIServerLinks', 'PilotLinks', SAN_CONDITION, MESH_CONDITION];

function conditionNotes(status: Status | undefined): string[] {
  const pending = (status?.conditions ?? []).filter((condition) => condition.status !== 'True');
  const rank = (type: string) =>
    type === 'Ready' ? 99 : CONDITION_ORDER.includes(type) ? CONDITION_ORDER.indexOf(type) : 50;
  const said = new Set<string>();
  const notes: string[] = [];
  for (const condition of [...pending].sort((a, b) => rank(a.type) - rank(b.type))) {
    const lines = (condition.message ?? '').split('\n').filter((line) => line !== '' && !said.has(line));
    lines.forEach((line) => said.add(line));
    if (lines.length === 0 && condition.message) continue;
    const shown =
      lines.length > NOTE_LINES
        ? [
            ...lines.slice(0, NOTE_LINES - 1),
            `… and ${lines.length - NOTE_LINES + 1} more (kubectl asmpvl status -o yaml shows all)`,
          ]
        : lines;
    const head = `${condition.type} is ${condition.status}${condition.reason ? ` (${condition.reason})` : ''}`;
    notes.push(shown.length === 0 ? head : `${head}: ${shown.join('\n    ')}`);
  }
  return notes;
}

/** Builds the view of the object: rows in spec order, then clusters only the status still records. */
export function statusView(config: ASMPvlConfig & { metadata: { generation?: number } }): StatusView {
  const status = config.status;
  const asmZones = config.spec.asmVpcEndpoint?.vSwitches?.map((vSwitch) => vSwitch.zoneId) ?? [];
  const rows = clusterIds(config).map(({ id, inSpec }): ClusterRow => {
    const spec = config.spec.ackVpcEndpoint?.find((cluster) => cluster.clusterId === id);
    const apiLink = status?.clusters?.find((cluster) => cluster.clusterId === id);
    const pilotLink = status?.pilot?.clusters?.find((cluster) => cluster.clusterId === id);
    const apiServer = linkView(apiLink?.pvlEndpointService, apiLink?.pvlEndpoint);
    // The Pilot service is shared and has a line of its own; a link is only as good as that service.
    const pilot = linkView(
      pilotLink?.pvlEndpoint ? status?.pilot?.pvlEndpointService : undefined,
      pilotLink?.pvlEndpoint,
    );
    return {
      clusterId: id,
      inSpec,
      pairedZones: spec
        ? pairedZones(
            spec.vSwitches.map((vSwitch) => vSwitch.zoneId),
            asmZones,
          )
        : [],
      apiServer,
      pilot,
      san: inSpec ? sanOf(config, id, apiServer) : 'unknown',
      mesh: meshOf(status, id),
    };
  });
  const wanted = rows.filter((row) => row.inSpec);
  const connected = wanted.filter((row) => row.apiServer.state === 'connected' && row.pilot.state === 'connected');
  const overall = status?.status ?? 'Unknown';
  const stale = staleNote(config);
  const notes = [...(stale ? [stale] : []), ...conditionNotes(status)];
  if (status === undefined && wanted.length > 0)
    notes.push(
      'no status yet: run kubectl asmpvl connect <clusterId> to provision the links, or kubectl asmpvl status --refresh if they exist already',
    );
  if (overall === 'Available' && connected.length < wanted.length) {
    const missing = wanted.filter((row) => !connected.includes(row)).map((row) => row.clusterId);
    notes.push(
      `the status says Available but does not record both links as Active/Connected for ${missing.join(', ')}: run kubectl asmpvl status --refresh`,
    );
  }
  const meshRunning = wanted.filter((row) => row.mesh.state === 'running');
  if (status !== undefined && wanted.length > 0 && status.mesh === undefined) {
    notes.push("the service mesh's own view of the clusters is not recorded: run kubectl asmpvl status --refresh");
  }
  for (const row of rows.filter((candidate) => !candidate.inSpec)) {
    const hasLinks = row.apiServer.state !== 'absent' || row.pilot.state !== 'absent';
    if (hasLinks)
      notes.push(
        `${row.clusterId} is in the status but no longer in the spec: run kubectl asmpvl disconnect ${row.clusterId} to remove its links`,
      );
    else
      notes.push(
        `${row.clusterId} is in the service mesh but not in the spec, so it has no links and the mesh cannot run it: kubectl asmpvl connect ${row.clusterId} reconnects it, or remove it from the mesh in the ASM console`,
      );
  }
  return {
    rows,
    pilotService: status?.pilot?.pvlEndpointService,
    overall,
    // Available only when the mesh agrees: both links up and the mesh running every cluster.
    available:
      overall === 'Available' &&
      connected.length === wanted.length &&
      meshRunning.length === wanted.length &&
      stale === undefined,
    summary: `${connected.length} of ${wanted.length} ${wanted.length === 1 ? 'cluster' : 'clusters'} connected, ${meshRunning.length} running in the mesh`,
    notes,
  };
}
