/**
 * The mesh's own verdict on each cluster (ASM DescribeClustersInServiceMesh), set against what we
 * observe of the links, to say which of the three things a cluster in another VPC needs is missing:
 *   (a) the API-server link: an endpoint in the ASM VPC Connected to the service on the cluster's
 *       API server load balancer;
 *   (b) the Pilot link: an endpoint in the cluster's VPC Connected to the shared Pilot service;
 *   (c) the SAN: the cluster's API server certificate lists the domain of endpoint (a).
 * Pure: the status condition (MeshReady), the status table and doctor all read these verdicts.
 */
import { type Advice, CLI_ADVICE } from './advice';
import type { MeshCluster } from '../cloud/mesh';
import type { ClusterFacts, LinkKind, ObservedEndpoint, ObservedService } from './model';
import { verifySans } from './san-sync';

/** What a cluster in another VPC needs before the mesh can run it. */
export type MeshGap = 'apiServerLink' | 'pilotLink' | 'san';

export const MESH_GAP_LABELS: Record<MeshGap, string> = {
  apiServerLink: '(a) the API-server link',
  pilotLink: '(b) the Pilot link',
  san: "(c) the endpoint domain in the API server certificate's SANs",
};

/** running: the mesh runs it; joining: just added; notRunning: failed or stopped; notInMesh: not added. */
export type MeshPhase = 'running' | 'joining' | 'notRunning' | 'notInMesh';

export interface ClusterMeshVerdict {
  clusterId: string;
  phase: MeshPhase;
  /** The mesh's State, verbatim (`running`, `starting`, `failed`, ...). */
  state?: string;
  /** The mesh's ErrorMessage, when it gave one. */
  errorMessage?: string;
  /** What our own observation says is missing, each with a few words; empty when running. */
  gaps: Array<{ gap: MeshGap; detail: string }>;
}

/** One link as the status builder sees it (status.ts linkViews). */
export interface MeshLinkInput {
  clusterId: string;
  link: LinkKind;
  service?: ObservedService;
  endpoint?: ObservedEndpoint;
  health: 'ready' | 'progressing' | 'missing' | 'broken';
  why?: string;
}

export interface MeshVerdictInputs {
  clusterIds: string[];
  meshClusters: MeshCluster[];
  links: MeshLinkInput[];
  /** False when the shared Pilot service exists but is not Active. */
  pilotServiceActive: boolean;
  clusterFacts: Record<string, ClusterFacts>;
}

// States the docs list for a cluster of a mesh (DescribeServiceMeshClusters): running, starting,
// stopping, stopped, failed. `pending` and `initial` are read as joining too, to be safe.
const JOINING = new Set(['starting', 'pending', 'initial', 'creating', 'joining']);

function phaseOf(member: MeshCluster | undefined): MeshPhase {
  if (!member) return 'notInMesh';
  const state = (member.state ?? '').toLowerCase();
  if (state === 'running') return 'running';
  return JOINING.has(state) ? 'joining' : 'notRunning';
}

function connectedZone(endpoint: ObservedEndpoint | undefined): boolean {
  // An endpoint lists its zones; traffic flows only through one that is Connected.
  return (
    endpoint !== undefined &&
    (endpoint.zones.length === 0 || endpoint.zones.some((zone) => zone.status === 'Connected'))
  );
}

function gapsOf(clusterId: string, inputs: MeshVerdictInputs): ClusterMeshVerdict['gaps'] {
  const gaps: ClusterMeshVerdict['gaps'] = [];
  const apiServer = inputs.links.find((link) => link.clusterId === clusterId && link.link === 'apiserver');
  const pilot = inputs.links.find((link) => link.clusterId === clusterId && link.link === 'pilot');
  const apiServerReady = apiServer?.health === 'ready' && connectedZone(apiServer.endpoint);
  if (!apiServerReady)
    gaps.push({
      gap: 'apiServerLink',
      detail: apiServer?.health === 'ready' ? 'no endpoint zone is Connected' : (apiServer?.why ?? 'not provisioned'),
    });
  if (pilot?.health !== 'ready' || !connectedZone(pilot.endpoint)) {
    gaps.push({
      gap: 'pilotLink',
      detail: pilot?.health === 'ready' ? 'no endpoint zone is Connected' : (pilot?.why ?? 'not provisioned'),
    });
  } else if (!inputs.pilotServiceActive) {
    gaps.push({ gap: 'pilotLink', detail: 'the shared Pilot service is not Active' });
  }
  const domain = apiServer?.endpoint?.domainName;
  const sans = inputs.clusterFacts[clusterId]?.certSans;
  // The SAN can only be judged once there is an endpoint domain and the SANs were read.
  if (apiServerReady && domain && sans && !verifySans(sans, sans, [domain]).ok)
    gaps.push({ gap: 'san', detail: `${domain} is not among its certificate SANs` });
  return gaps;
}

/** The mesh's verdict on each cluster of the spec, in spec order, with what our observation says is missing. */
export function meshVerdicts(inputs: MeshVerdictInputs): ClusterMeshVerdict[] {
  return inputs.clusterIds.map((clusterId) => {
    const member = inputs.meshClusters.find((cluster) => cluster.clusterId === clusterId);
    const phase = phaseOf(member);
    return {
      clusterId,
      phase,
      ...(member?.state ? { state: member.state } : {}),
      ...(member?.errorMessage ? { errorMessage: member.errorMessage } : {}),
      gaps: phase === 'running' ? [] : gapsOf(clusterId, inputs),
    };
  });
}

export const MESH_CONDITION = 'MeshReady';

export interface MeshConditionInput {
  type: typeof MESH_CONDITION;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** One line about a cluster the mesh does not run: its state, what is missing, the mesh's words. */
export function explainVerdict(verdict: ClusterMeshVerdict, meshId: string, advice: Advice = CLI_ADVICE): string {
  if (verdict.phase === 'notInMesh')
    return `${verdict.clusterId}: not in service mesh ${meshId}; ${advice.addToMesh(verdict.clusterId)}`;
  const missing = verdict.gaps.map((gap) => `${MESH_GAP_LABELS[gap.gap]} (${gap.detail})`);
  const said = verdict.errorMessage ? `; the mesh says: ${verdict.errorMessage}` : '';
  const state = verdict.state ?? 'no state';
  if (missing.length > 0) return `${verdict.clusterId}: ${state} in the mesh; missing ${missing.join(', ')}${said}`;
  if (verdict.phase === 'joining')
    return `${verdict.clusterId}: ${state} in the mesh (just added; it looks at the cluster shortly)${said}`;
  return `${verdict.clusterId}: ${state} in the mesh, although both links are Connected and the SAN is listed${said}`;
}

/**
 * The MeshReady condition: True when the mesh runs every cluster of the spec; False naming each
 * cluster it does not run, and why; Unknown when the mesh could not be read (`readFailure`).
 */
export function meshCondition(
  meshId: string,
  verdicts: ClusterMeshVerdict[] | undefined,
  readFailure?: { reason: string; message: string },
  advice: Advice = CLI_ADVICE,
): MeshConditionInput {
  const type = MESH_CONDITION;
  if (!verdicts)
    return {
      type,
      status: 'Unknown',
      reason: readFailure?.reason ?? 'NotChecked',
      message: readFailure?.message ?? `service mesh ${meshId} was not read in this run`,
    };
  if (verdicts.length === 0) return { type, status: 'True', reason: 'NoClusters', message: 'no cluster in the spec' };
  const notRunning = verdicts.filter((verdict) => verdict.phase !== 'running');
  if (notRunning.length === 0)
    return {
      type,
      status: 'True',
      reason: 'Running',
      message: `service mesh ${meshId} reports all ${verdicts.length} cluster(s) running`,
    };
  const reason = notRunning.some((verdict) => verdict.phase === 'notInMesh')
    ? 'NotInMesh'
    : notRunning.some((verdict) => verdict.phase === 'notRunning')
      ? 'NotRunning'
      : 'Joining';
  return {
    type,
    status: 'False',
    reason,
    message: notRunning.map((verdict) => explainVerdict(verdict, meshId, advice)).join('\n'),
  };
}
