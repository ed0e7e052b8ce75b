/**
 * The order of doctor's checks and what each depends on: the Kubernetes side first (kubeconfig, API
 * server, CRD, the object, the webhook), then the cloud (credentials, PrivateLink, zones, each
 * cluster, each cluster's standing in the mesh). A check whose ground failed is reported as skipped, never as a second failure. The
 * probes are injected: the command passes real clients, tests pass stubs.
 */
import { type ControllerObservation, controllerFindings } from './controller';
import { regionOfZone } from '../../core/zones';
import type { MeshCluster } from '../../engine/cloud/mesh';
import { meshVerdicts } from '../../engine/provisioning/mesh-verdict';
import type { ClusterFacts as ProvisioningClusterFacts, Inventory } from '../../engine/provisioning/model';
import { linkViews } from '../../engine/provisioning/status';
import { meshFindings, meshUnreadFinding } from './mesh';
import { type PermissionObservation, permissionFindings } from './permissions';
import { mapBounded } from '../../engine/concurrency';
import {
  apiServerFindings,
  type ClusterFacts,
  type CrdFacts,
  crdOwnerFinding,
  clusterFinding,
  credentialsFinding,
  type DryRunResult,
  type Finding,
  kubeconfigFinding,
  objectFinding,
  type Outcome,
  privateLinkFinding,
  type RegionSource,
  type SpecFacts,
  UNPAIRED_PROBE,
  webhookFinding,
  zonesFinding,
} from './checks';

/** The ASM cluster, as doctor reads it. */
export interface KubeProbes {
  context: string;
  server: string;
  crdInstalled(): Promise<Outcome<boolean>>;
  /** Whose the CRD is and what it prunes; undefined when it is not installed. */
  crdFacts?(): Promise<Outcome<CrdFacts | undefined>>;
  readSpec(): Promise<Outcome<SpecFacts | undefined>>;
  dryRunCreate(object: unknown): Promise<Outcome<DryRunResult>>;
  /** Who reconciles the object (asmpvl-controller's Lease, the status writers); undefined without an object. */
  controller?(): Promise<Outcome<ControllerObservation | undefined>>;
}

/** The cloud, as doctor reads it: read calls only. */
export interface CloudProbes {
  /** A cheap signed read call (VPC DescribeVSwitches, one item). */
  credentials(): Promise<Outcome<{ requestId?: string }>>;
  privateLinkOpen(): Promise<Outcome<boolean>>;
  /** Zones where PrivateLink serves CLB (slb) load balancers. */
  privateLinkZones(): Promise<Outcome<string[]>>;
  cluster(clusterId: string): Promise<Outcome<ClusterFacts>>;
  /** The mesh's view of its clusters, and what we observe of the links and SANs, for the mesh checks. */
  mesh(meshId: string, clusterIds: string[]): Promise<Outcome<MeshObservation>>;
  /** Each RAM action asmpvl calls, probed without changing anything. */
  permissions(): Promise<PermissionObservation[]>;
}

/** What doctor reads to explain the mesh's verdict on each cluster. */
export interface MeshObservation {
  meshClusters: MeshCluster[];
  inventory: Inventory;
  clusterFacts: Record<string, ProvisioningClusterFacts>;
}

export interface DoctorProbes {
  kube(): Promise<Outcome<KubeProbes>>;
  /** Clients for `region`; an error here is a setting no call can fix (a bad --cloud-endpoint). */
  cloud(region: string): Promise<Outcome<CloudProbes>>;
  /** --region, else ALIBABA_CLOUD_REGION_ID. */
  region?: { id: string; source: RegionSource };
  /** ASMPVL_MESH_ID; else the object's annotation. */
  meshId?: string;
}

export interface DoctorOptions {
  /** Clusters looked up at once (default 8). */
  concurrency?: number;
}

/** The region to check in: the flag or variable when given, else the region of the spec's zones. */
export function chooseRegion(
  given: DoctorProbes['region'],
  spec: SpecFacts | undefined,
): { id: string; source: RegionSource } | undefined {
  if (given) return given;
  const region = spec?.zones.map(regionOfZone).find((candidate) => candidate !== undefined);
  return region ? { id: region, source: 'the zones of the spec' } : undefined;
}

const skip = (check: string, title: string, because: string): Finding => ({
  check,
  title,
  status: 'skip',
  message: `not checked: ${because}`,
});

/** The Kubernetes checks; returns what the spec says, for the cloud checks. */
async function checkKube(probes: DoctorProbes, report: (finding: Finding) => void): Promise<SpecFacts | undefined> {
  const connected = await probes.kube();
  report(
    kubeconfigFinding(
      connected.ok
        ? { ok: true, value: { context: connected.value.context, server: connected.value.server } }
        : connected,
    ),
  );
  if (!connected.ok) {
    for (const [check, title] of [
      ['api-server', 'API server answers'],
      ['crd', 'ASMPvlConfig CRD installed'],
      ['object', 'asmpvlconfig/default'],
      ['webhook', 'admission webhook refuses an invalid object'],
    ]) {
      report(skip(check!, title!, 'no usable kubeconfig'));
    }
    return undefined;
  }
  const kube = connected.value;
  const [api, crd] = apiServerFindings(kube.server, await kube.crdInstalled());
  report(api);
  report(crd);
  if (crd.status !== 'ok') {
    const because = api.status === 'ok' ? 'the CRD is not known to be installed' : 'the API server did not answer';
    report(skip('object', 'asmpvlconfig/default', because));
    report(skip('webhook', 'admission webhook refuses an invalid object', because));
    return undefined;
  }
  if (kube.crdFacts) report(crdOwnerFinding(await kube.crdFacts()));
  const spec = await kube.readSpec();
  report(objectFinding(spec));
  const controller = await kube.controller?.();
  if (controller?.ok && controller.value) for (const finding of controllerFindings(controller.value)) report(finding);
  report(webhookFinding(await kube.dryRunCreate(UNPAIRED_PROBE)));
  return spec.ok ? spec.value : undefined;
}

async function checkCloud(
  probes: DoctorProbes,
  spec: SpecFacts | undefined,
  report: (finding: Finding) => void,
  concurrency: number,
): Promise<void> {
  const region = chooseRegion(probes.region, spec);
  const skipRest = (because: string) => {
    report(skip('privatelink', 'PrivateLink opened for the account', because));
    report(skip('permissions', 'RAM permissions of these credentials', because));
    report(skip('zones', 'zones of the spec support PrivateLink', because));
    for (const clusterId of spec?.clusterIds ?? [])
      report(skip(`cluster/${clusterId}`, `ACK cluster ${clusterId} visible`, because));
  };
  if (!region) {
    report(credentialsFinding(undefined, undefined));
    return skipRest('no region');
  }
  const cloud = await probes.cloud(region.id);
  if (!cloud.ok) {
    report(credentialsFinding(region, cloud));
    return skipRest('the cloud settings are not usable');
  }
  const credentials = credentialsFinding(region, await cloud.value.credentials());
  report(credentials);
  if (credentials.status === 'fail') return skipRest('the credentials do not work');
  report(privateLinkFinding(await cloud.value.privateLinkOpen()));
  permissionFindings(await cloud.value.permissions()).forEach(report);
  if (!spec) {
    report(
      skip('zones', 'zones of the spec support PrivateLink', 'no asmpvlconfig/default to read zones and clusters from'),
    );
    return;
  }
  report(zonesFinding(spec.zones, await cloud.value.privateLinkZones()));
  const clusters = await mapBounded(spec.clusterIds, concurrency, async (clusterId) =>
    clusterFinding(clusterId, region.id, await cloud.value.cluster(clusterId)),
  );
  clusters.forEach(report);
  await checkMesh(probes.meshId ?? spec.meshId, spec.clusterIds, cloud.value, report);
}

/** Each cluster in the mesh and running there; if not, which of (a), (b), (c) is missing. */
async function checkMesh(
  meshId: string | undefined,
  clusterIds: string[],
  cloud: CloudProbes,
  report: (finding: Finding) => void,
): Promise<void> {
  if (!meshId || clusterIds.length === 0) {
    if (clusterIds.length > 0) report(meshUnreadFinding(undefined, undefined));
    return;
  }
  const observed = await cloud.mesh(meshId, clusterIds);
  if (!observed.ok) {
    report(meshUnreadFinding(meshId, observed));
    return;
  }
  const { meshClusters, inventory, clusterFacts } = observed.value;
  const pilot = inventory.services.find((service) => service.link === 'pilot');
  // A cluster the mesh lists but the spec does not, and the mesh cannot run (disconnected): named too.
  const strays = meshClusters
    .filter((cluster) => !clusterIds.includes(cluster.clusterId) && cluster.state !== 'running')
    .map((cluster) => cluster.clusterId);
  const judged = [...clusterIds, ...strays];
  const verdicts = meshVerdicts({
    clusterIds: judged,
    meshClusters,
    links: linkViews(judged, inventory),
    pilotServiceActive: !pilot || pilot.status === 'Active',
    clusterFacts,
  });
  meshFindings(meshId, verdicts).forEach(report);
}

/**
 * Runs every check in order, calling `report` with each finding as soon as it is known (so a slow
 * cloud call shows the earlier findings already), and returns them all.
 */
export async function runDoctor(
  probes: DoctorProbes,
  report: (finding: Finding) => void = () => {},
  options: DoctorOptions = {},
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const collect = (finding: Finding) => {
    findings.push(finding);
    report(finding);
  };
  const spec = await checkKube(probes, collect);
  await checkCloud(probes, spec, collect, options.concurrency ?? 8);
  return findings;
}
