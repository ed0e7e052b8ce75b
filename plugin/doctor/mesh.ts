/**
 * Doctor's view of the mesh: is each cluster of the spec in the service mesh, does the mesh run it,
 * and if not, which of the three things a cluster in another VPC needs is missing: (a) the
 * API-server link, (b) the Pilot link, (c) the endpoint domain in the certificate SANs. Pure: the
 * verdicts come from engine/provisioning/mesh-verdict.ts, computed on what doctor read.
 */
import type { ClusterMeshVerdict, MeshGap } from '../../engine/provisioning/mesh-verdict';
import { MESH_GAP_LABELS } from '../../engine/provisioning/mesh-verdict';
import type { Finding, Outcome } from './checks';

const FIXES: Record<MeshGap, (clusterId: string) => string> = {
  apiServerLink: (clusterId) => `kubectl asmpvl connect ${clusterId} re-creates and reconnects the API-server link`,
  pilotLink: (clusterId) => `kubectl asmpvl connect ${clusterId} re-creates and reconnects the Pilot link`,
  san: (clusterId) =>
    `kubectl asmpvl sync-san ${clusterId} appends the endpoint domain (or connect ${clusterId}; with spec.sanSync: Disabled add it to the API server certificate SANs yourself)`,
};

function said(verdict: ClusterMeshVerdict): string {
  return verdict.errorMessage ? `; the mesh says: ${verdict.errorMessage}` : '';
}

/** One finding per cluster of the spec: in the mesh, running, or what is missing. */
export function meshFindings(meshId: string, verdicts: ClusterMeshVerdict[]): Finding[] {
  return verdicts.map((verdict): Finding => {
    const { clusterId } = verdict;
    const base = { check: `mesh/${clusterId}`, title: `cluster ${clusterId} running in service mesh ${meshId}` };
    if (verdict.phase === 'running') return { ...base, status: 'ok', message: `${verdict.state ?? 'running'}` };
    if (verdict.phase === 'notInMesh') {
      return {
        ...base,
        status: 'fail',
        message: 'not in the mesh: the mesh does not list it among its clusters',
        fix: `kubectl asmpvl connect ${clusterId} adds it (or add it in the ASM console)`,
      };
    }
    const state = verdict.state ?? 'no state';
    if (verdict.gaps.length > 0) {
      const missing = verdict.gaps.map((gap) => `${MESH_GAP_LABELS[gap.gap]}: ${gap.detail}`).join('; ');
      const fixes = verdict.gaps.map((gap) => FIXES[gap.gap](clusterId));
      return {
        ...base,
        status: verdict.phase === 'joining' ? 'warn' : 'fail',
        message: `${state}, missing ${missing}${said(verdict)}`,
        fix: fixes.join('; '),
      };
    }
    if (verdict.phase === 'joining')
      return {
        ...base,
        status: 'warn',
        message: `${state}: just added, the mesh has not looked at it yet${said(verdict)}`,
        fix: 'wait a minute, then kubectl asmpvl status --refresh',
      };
    return {
      ...base,
      status: 'fail',
      message: `${state}, although both links are Connected and the SAN is listed${said(verdict)}`,
      fix: "check that the security groups let the ASM VPC reach the API server (6443) and the cluster reach Pilot (15011), and the mesh's own diagnosis in the ASM console",
    };
  });
}

/** When the mesh could not be read (or there is no mesh id), one finding that says so. */
export function meshUnreadFinding(meshId: string | undefined, outcome: Outcome<unknown> | undefined): Finding {
  const base = { check: 'mesh', title: 'clusters in the service mesh' };
  if (!meshId)
    return {
      ...base,
      status: 'skip',
      message: 'not checked: no mesh id (set ASMPVL_MESH_ID, or run connect --mesh-id once to record it on the object)',
    };
  if (outcome && !outcome.ok) {
    const fix = outcome.error.notFound
      ? `check the mesh id ${meshId} and the region: ASM answers for meshes these credentials can see`
      : 'grant the RAM identity servicemesh:DescribeClustersInServiceMesh';
    return { ...base, status: 'fail', message: `cannot read service mesh ${meshId}: ${outcome.error.message}`, fix };
  }
  return { ...base, status: 'skip', message: 'not checked' };
}
