/**
 * How commands change the `default` ASMPvlConfig's spec, and where the mesh id comes from. Pure.
 *
 * The spec names no mesh, yet every cloud call needs one (tags, ASM's network facts). It comes
 * from `--mesh-id`, else ASMPVL_MESH_ID, else the annotation `asmpvl.io/mesh-id` that `connect`
 * writes on the object, so later commands (`status --refresh`, `disconnect`, `sync-san`) need no
 * flag. One object serves one mesh: a flag that disagrees with the annotation is refused.
 */
import { API_GROUP, API_VERSION, KIND, SINGLETON_NAME } from '../../core';
import type { ASMPvlConfig } from '../../core';
import { ProvisioningInputError } from './errors';
import type { ClusterSpec, VSwitchPlacement } from './model';

export const ANNOTATION_MESH_ID = 'asmpvl.io/mesh-id';
export const ANNOTATION_PILOT_LOAD_BALANCER = 'asmpvl.io/pilot-load-balancer';
export const MESH_ID_ENV = 'ASMPVL_MESH_ID';

type Metadata = ASMPvlConfig['metadata'] & { annotations?: Record<string, string>; generation?: number; uid?: string };
type Config = Omit<ASMPvlConfig, 'metadata'> & { metadata: Metadata };

const CLUSTER_ID = /^c[0-9a-f]{32}$/;
const MESH_ID = /^c[0-9a-f]{32}$/;
const VSWITCH_ID = /^vsw-[a-z0-9]{6,32}$/;
const ZONE_ID = /^[a-z]+(-[a-z]+)*(-[0-9]+[a-z]|-[a-z])$/;

export function annotationsOf(object: { metadata?: unknown } | undefined): Record<string, string> {
  return (object?.metadata as Metadata | undefined)?.annotations ?? {};
}

/** The mesh this run is about: flag, then environment, then the object's annotation. */
export function resolveMeshId(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  object: { metadata?: unknown } | undefined,
): string {
  const annotated = annotationsOf(object)[ANNOTATION_MESH_ID];
  const given = flag?.trim() || env[MESH_ID_ENV]?.trim() || undefined;
  const source = flag?.trim() ? '--mesh-id' : MESH_ID_ENV;
  if (given && !MESH_ID.test(given))
    throw new ProvisioningInputError(
      `${source} ${given}: not a service mesh id (c followed by 32 lower-case hex characters, as in the ASM console)`,
    );
  if (given && annotated && given !== annotated) {
    throw new ProvisioningInputError(
      `${source} ${given} disagrees with asmpvlconfig/default, which is provisioned for mesh ${annotated} (annotation ${ANNOTATION_MESH_ID}); one object serves one mesh: drop the flag, or disconnect every cluster first`,
    );
  }
  const meshId = given ?? annotated;
  if (!meshId)
    throw new ProvisioningInputError(
      `no service mesh id: pass --mesh-id c… or set ${MESH_ID_ENV} (the first connect records it on asmpvlconfig/default)`,
    );
  return meshId;
}

export function checkClusterId(clusterId: string): string {
  const id = clusterId.trim().toLowerCase();
  if (!CLUSTER_ID.test(id))
    throw new ProvisioningInputError(
      `${clusterId}: not an ACK cluster id (c followed by 32 lower-case hex characters, as in the ACK console)`,
    );
  return id;
}

/** `vsw-x` or `vsw-x:cn-hangzhou-j`, as given to --vswitch and --asm-vswitch. */
export function parseVSwitchFlag(flag: string, text: string): { vSwitchId: string; zoneId?: string } {
  const [id = '', zone, ...rest] = text.trim().toLowerCase().split(':');
  if (rest.length > 0 || !VSWITCH_ID.test(id) || (zone !== undefined && !ZONE_ID.test(zone))) {
    throw new ProvisioningInputError(
      `${flag} ${text}: expected vsw-… or vsw-…:<zone>, e.g. vsw-bp1jsgsanpvxpj32yai50:cn-hangzhou-j`,
    );
  }
  return zone === undefined ? { vSwitchId: id } : { vSwitchId: id, zoneId: zone };
}

/** The clusters of a spec, in spec order. */
export function specClusters(object: ASMPvlConfig | undefined): ClusterSpec[] {
  return (object?.spec.ackVpcEndpoint ?? []).map((entry) => ({
    clusterId: entry.clusterId,
    vSwitches: entry.vSwitches.map((vSwitch) => ({ ...vSwitch })),
  }));
}

export function specAsmVSwitches(object: ASMPvlConfig | undefined): VSwitchPlacement[] {
  return (object?.spec.asmVpcEndpoint.vSwitches ?? []).map((vSwitch) => ({ ...vSwitch }));
}

export interface ClusterEdit {
  cluster: ClusterSpec;
  /** Replaces the ASM side's vSwitches (required when the object does not exist yet). */
  asmVSwitches?: VSwitchPlacement[];
  meshId: string;
  pilotLoadBalancerId?: string;
}

function withAnnotations(
  metadata: Metadata | undefined,
  edit: { meshId: string; pilotLoadBalancerId?: string },
): Metadata {
  const annotations: Record<string, string> = { ...(metadata?.annotations ?? {}), [ANNOTATION_MESH_ID]: edit.meshId };
  if (edit.pilotLoadBalancerId) annotations[ANNOTATION_PILOT_LOAD_BALANCER] = edit.pilotLoadBalancerId;
  return { ...metadata, name: SINGLETON_NAME, annotations };
}

/** The object with `edit.cluster`'s entry added or replaced (in place, keeping the order). */
export function withCluster(current: ASMPvlConfig | undefined, edit: ClusterEdit): ASMPvlConfig {
  const entry = { clusterId: edit.cluster.clusterId, vSwitches: edit.cluster.vSwitches };
  if (!current) {
    if (!edit.asmVSwitches || edit.asmVSwitches.length === 0) {
      throw new ProvisioningInputError(
        'asmpvlconfig/default does not exist yet: pass --asm-vswitch vsw-… (vSwitches of the ASM VPC) to create it',
      );
    }
    const created: Config = {
      apiVersion: `${API_GROUP}/${API_VERSION}` as ASMPvlConfig['apiVersion'],
      kind: KIND,
      metadata: withAnnotations(undefined, edit),
      spec: { ackVpcEndpoint: [entry], asmVpcEndpoint: { vSwitches: edit.asmVSwitches } },
    };
    return created;
  }
  const clusters = [...(current.spec.ackVpcEndpoint ?? [])];
  const index = clusters.findIndex((candidate) => candidate.clusterId === entry.clusterId);
  if (index >= 0) clusters[index] = entry;
  else clusters.push(entry);
  const asmVpcEndpoint =
    edit.asmVSwitches && edit.asmVSwitches.length > 0 ? { vSwitches: edit.asmVSwitches } : current.spec.asmVpcEndpoint;
  const next: Config = {
    ...current,
    metadata: withAnnotations(current.metadata, edit),
    spec: { ...current.spec, ackVpcEndpoint: clusters, asmVpcEndpoint },
  };
  return next;
}

/** The object without `clusterId`'s entry. */
export function withoutCluster(current: ASMPvlConfig, clusterId: string): ASMPvlConfig {
  return {
    ...current,
    spec: {
      ...current.spec,
      ackVpcEndpoint: (current.spec.ackVpcEndpoint ?? []).filter((entry) => entry.clusterId !== clusterId),
    },
  };
}

/** Whether writing `next` would change the stored object's spec or our annotations. */
export function changesObject(current: ASMPvlConfig | undefined, next: ASMPvlConfig): boolean {
  if (!current) return true;
  const ours = (object: ASMPvlConfig) => {
    const annotations = annotationsOf(object);
    return JSON.stringify([object.spec, annotations[ANNOTATION_MESH_ID], annotations[ANNOTATION_PILOT_LOAD_BALANCER]]);
  };
  return ours(current) !== ours(next);
}

/** `<uid>/<generation>` of the stored object: what each create's ClientToken is tied to. */
export function specRevision(object: { metadata?: unknown }): string {
  const metadata = object.metadata as Metadata | undefined;
  return `${metadata?.uid ?? 'no-uid'}/${metadata?.generation ?? 0}`;
}
