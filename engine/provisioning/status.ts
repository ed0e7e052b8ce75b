/**
 * The status subresource, built from what the cloud holds. Pure.
 *
 * The vendor's fields are a contract, since scripts written against the vendor's product read
 * them: status.clusters[] (the API-server links), status.pilot (the shared Pilot service and each
 * cluster's Pilot endpoint) and status.status, one of Available | Provisioning | Degraded | Failed.
 * Next to them, our own `conditions` (Ready, APIServerLinks, PilotLinks, SANSynced, MeshReady) say
 * why, `observedGeneration` which spec it is about, and `mesh` records the service mesh's own view
 * of each cluster. Available needs the mesh to agree: every cluster running in it.
 *
 * For GitOps tools, the kstatus conditions: `Reconciling` while the object is on its way to
 * Available, `Stalled` when a failure will stay until someone changes something. Both are
 * abnormal-true and present only while True (as Flux's controllers write them), so kstatus reads
 * InProgress, Failed, or (Ready True) Current.
 */
import type { AsmPvlStatus } from '../../core';
import { type Advice, CLI_ADVICE } from './advice';
import {
  type ClusterFacts,
  type Inventory,
  keyName,
  type LinkKind,
  linkLabel,
  type ObservedEndpoint,
  type ObservedService,
} from './model';
import type { MeshCluster } from '../cloud/mesh';
import { type ClusterMeshVerdict, meshCondition, type MeshConditionInput, meshVerdicts } from './mesh-verdict';
import { endpointKey, resolveResources, serviceKey } from './planner';
import { verifySans } from './san-sync';

export type { AsmPvlStatus };
export type StatusCondition = NonNullable<AsmPvlStatus['conditions']>[number];
export type OverallStatus = 'Available' | 'Provisioning' | 'Degraded' | 'Failed';

export const CONDITION_TYPES = {
  ready: 'Ready',
  apiServerLinks: 'APIServerLinks',
  pilotLinks: 'PilotLinks',
  sanSynced: 'SANSynced',
  meshReady: 'MeshReady',
  reconciling: 'Reconciling',
  stalled: 'Stalled',
} as const;

/** Something that failed in a run, with the part of the state it concerns. */
export interface RecordedFailure {
  /** `discovery` concerns both links of the cluster (or every cluster when clusterId is absent); `mesh` the mesh's own view. */
  area: LinkKind | 'san' | 'discovery' | 'mesh';
  clusterId?: string;
  /** A CamelCase word: the cloud's error code, or what kind of failure it was. */
  reason: string;
  /** The whole story: the step, the cloud's code and request id, what to do. */
  message: string;
  /** True when retrying will not clear it, only a change someone makes (errors.ts needsChange). */
  needsChange?: boolean;
}

/** A condition computed by someone else (later: the mesh's own verdict), kept next to ours. */
export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface StatusInputs {
  /** The clusters of the spec, in spec order. */
  clusterIds: string[];
  inventory: Inventory;
  /** Facts per cluster, for the SANs; a cluster missing here is reported as not checked. */
  clusterFacts: Record<string, ClusterFacts>;
  sanSync: 'Enabled' | 'Disabled';
  failures: RecordedFailure[];
  /** A run is making changes right now (its first status write, or --no-wait). */
  inProgress: boolean;
  /** Per-cluster problems of the desired state (no shared zone, ...). */
  problems: Array<{ clusterId: string; message: string }>;
  generation?: number;
  previous?: AsmPvlStatus;
  extraConditions?: ConditionInput[];
  /**
   * The mesh's view of its clusters (ASM DescribeClustersInServiceMesh) as read in this run;
   * absent when it was not read (a failure with area `mesh` says why).
   */
  mesh?: { meshId: string; clusters: MeshCluster[] };
  now: Date;
  /** How next steps are worded (advice.ts); the plugin's by default. */
  advice?: Advice;
  /** The reconcile request (annotation asmpvl.io/reconcile-requested-at) this status answers; else the previous one is kept. */
  handledRequest?: string;
}

type LinkHealth = 'ready' | 'progressing' | 'missing' | 'broken';

// The reason Stalled gives for a problem of the desired state itself (no shared zone, ...).
const SPEC_PROBLEM = 'SpecProblem';

const SETTLING = new Set(['Creating', 'Pending']);
const CONNECTION_MOVING = new Set(['Connecting', 'Pending']);
const MESSAGE_LIMIT = 4000;

interface LinkView {
  clusterId: string;
  link: LinkKind;
  service?: ObservedService;
  endpoint?: ObservedEndpoint;
  health: LinkHealth;
  /** Why it is not ready, in a few words. */
  why?: string;
}

function healthOf(
  service: ObservedService | undefined,
  endpoint: ObservedEndpoint | undefined,
): { health: LinkHealth; why?: string } {
  if (!service) return { health: 'missing', why: 'no endpoint service' };
  if (!endpoint)
    return { health: 'missing', why: `no endpoint (service ${service.serviceId} is ${service.status ?? 'unknown'})` };
  if (service.status !== 'Active') {
    return {
      health: SETTLING.has(service.status ?? '') ? 'progressing' : 'broken',
      why: `service ${service.serviceId} is ${service.status ?? 'unknown'}`,
    };
  }
  if (endpoint.status !== 'Active') {
    return {
      health: SETTLING.has(endpoint.status ?? '') ? 'progressing' : 'broken',
      why: `endpoint ${endpoint.endpointId} is ${endpoint.status ?? 'unknown'}`,
    };
  }
  if (endpoint.connectionStatus !== 'Connected') {
    return {
      health: CONNECTION_MOVING.has(endpoint.connectionStatus ?? '') ? 'progressing' : 'broken',
      why: `endpoint ${endpoint.endpointId} is ${endpoint.connectionStatus ?? 'not connected'}`,
    };
  }
  return { health: 'ready' };
}

function endpointStatus(endpoint: ObservedEndpoint) {
  return {
    connectionStatus: endpoint.connectionStatus,
    domainName: endpoint.domainName,
    id: endpoint.endpointId,
    status: endpoint.status,
  };
}

function serviceStatus(service: ObservedService) {
  return { id: service.serviceId, name: service.serviceName, status: service.status };
}

/** Every link of every spec cluster, as the cloud has it. */
export function linkViews(clusterIds: string[], inventory: Inventory): LinkView[] {
  const resolved = resolveResources(inventory);
  return clusterIds.flatMap((clusterId) =>
    (['apiserver', 'pilot'] as const).map((link) => {
      const service = resolved.services.get(keyName(serviceKey(link, clusterId)));
      const endpoint = resolved.endpoints.get(keyName(endpointKey(link, clusterId)));
      return { clusterId, link, service, endpoint, ...healthOf(service, endpoint) };
    }),
  );
}

function clip(message: string): string {
  return message.length <= MESSAGE_LIMIT ? message : `${message.slice(0, MESSAGE_LIMIT - 1)}…`;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A condition whose lastTransitionTime moves only when its status changes (a new reason or message
 * alone is no transition), as Kubernetes' meta.SetStatusCondition rules. Every condition asmpvl
 * writes, the engine's and the controller's own, is made here.
 */
function condition(
  input: ConditionInput,
  previous: AsmPvlStatus | undefined,
  generation: number | undefined,
  now: Date,
): StatusCondition {
  const before = previous?.conditions?.find((candidate) => candidate.type === input.type);
  const lastTransitionTime =
    before && before.status === input.status && before.lastTransitionTime ? before.lastTransitionTime : isoSeconds(now);
  return {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: clip(input.message),
    lastTransitionTime,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

function failuresIn(failures: RecordedFailure[], link: LinkKind): RecordedFailure[] {
  return failures.filter((failure) => failure.area === link || failure.area === 'discovery');
}

function linksCondition(
  type: string,
  link: LinkKind,
  views: LinkView[],
  failures: RecordedFailure[],
  problems: StatusInputs['problems'],
  extra: string[],
): ConditionInput {
  const mine = views.filter((view) => view.link === link);
  const linkFailures = failuresIn(failures, link);
  const notReady = mine.filter((view) => view.health !== 'ready');
  const lines = [
    ...extra,
    ...notReady.map((view) => `${view.clusterId}: ${view.why}`),
    ...problems.map((problem) => problem.message),
    ...linkFailures.map((failure) => failure.message),
  ];
  const label = linkLabel(link);
  if (notReady.length === 0 && linkFailures.length === 0 && extra.length === 0) {
    return {
      type,
      status: 'True',
      reason: 'Connected',
      message:
        mine.length === 0 ? 'no cluster in the spec' : `every ${label} link is Active and Connected (${mine.length})`,
    };
  }
  const reason =
    linkFailures[0]?.reason ??
    (notReady.some((view) => view.health === 'progressing')
      ? 'Provisioning'
      : notReady.some((view) => view.health === 'broken')
        ? 'Broken'
        : 'NotProvisioned');
  return { type, status: 'False', reason, message: lines.join('\n') };
}

function sanCondition(inputs: StatusInputs, views: LinkView[]): ConditionInput {
  const type = CONDITION_TYPES.sanSynced;
  const sanFailures = inputs.failures.filter((failure) => failure.area === 'san');
  const disabled = inputs.sanSync === 'Disabled';
  const missing: string[] = [];
  const unchecked: string[] = [];
  // Only a Connected link needs its domain in the certificate (and sync-san acts only then).
  const connected = views.filter(
    (candidate) =>
      candidate.link === 'apiserver' &&
      candidate.endpoint?.domainName &&
      candidate.endpoint.connectionStatus === 'Connected',
  );
  for (const view of connected) {
    const facts = inputs.clusterFacts[view.clusterId];
    const domain = view.endpoint!.domainName!;
    if (!facts) unchecked.push(view.clusterId);
    else if (!verifySans(facts.certSans, facts.certSans, [domain]).ok)
      missing.push(`${view.clusterId} lacks ${domain}`);
  }
  if (sanFailures.length > 0)
    return {
      type,
      status: 'False',
      reason: sanFailures[0]!.reason,
      message: sanFailures.map((failure) => failure.message).join('\n'),
    };
  if (missing.length > 0) {
    const next = disabled
      ? 'spec.sanSync is Disabled: add them to the API server certificate SANs yourself'
      : (inputs.advice ?? CLI_ADVICE).syncSan;
    return {
      type,
      status: 'False',
      reason: disabled ? 'SanSyncDisabled' : 'Missing',
      message: `${missing.join('; ')}. Next: ${next}.`,
    };
  }
  if (unchecked.length > 0)
    return { type, status: 'Unknown', reason: 'NotChecked', message: `not read in this run: ${unchecked.join(', ')}` };
  const waiting = views
    .filter((view) => view.link === 'apiserver' && !connected.includes(view))
    .map((view) => view.clusterId);
  if (connected.length === 0 && waiting.length > 0)
    return {
      type,
      status: 'Unknown',
      reason: 'WaitingForLinks',
      message: `no API-server link is Connected yet (${waiting.join(', ')})`,
    };
  return {
    type,
    status: 'True',
    reason: 'Synced',
    message: "every connected cluster's API server certificate lists its endpoint domain",
  };
}

/** The overall value of status.status, from the links and the run's failures. */
export function overallStatus(
  views: LinkView[],
  pilotServiceActive: boolean,
  failures: RecordedFailure[],
  problems: StatusInputs['problems'],
  inProgress: boolean,
): OverallStatus {
  const linkFailures = failures.filter((failure) => failure.area !== 'san');
  const allReady = views.every((view) => view.health === 'ready') && (views.length === 0 || pilotServiceActive);
  if (allReady && linkFailures.length === 0 && problems.length === 0) return 'Available';
  const clusters = [...new Set(views.map((view) => view.clusterId))];
  const someClusterReady = clusters.some((clusterId) =>
    views.filter((view) => view.clusterId === clusterId).every((view) => view.health === 'ready'),
  );
  if (linkFailures.length > 0 || problems.length > 0) return someClusterReady ? 'Degraded' : 'Failed';
  if (inProgress || views.some((view) => view.health === 'progressing')) return 'Provisioning';
  return 'Degraded';
}

/**
 * Available only when the mesh agrees: links that look fine to us but a cluster the mesh does not
 * run (or could not be asked about) is not Available. A cluster just added is still Provisioning.
 */
export function withMeshVerdict(
  linksOverall: OverallStatus,
  meshReady: MeshConditionInput,
  verdicts: ClusterMeshVerdict[] | undefined,
  inProgress: boolean,
): OverallStatus {
  if (linksOverall !== 'Available' || meshReady.status === 'True') return linksOverall;
  const joining = verdicts?.some((verdict) => verdict.phase === 'joining') ?? false;
  return joining || inProgress ? 'Provisioning' : 'Degraded';
}

function meshRecord(meshId: string, verdicts: ClusterMeshVerdict[]): NonNullable<AsmPvlStatus['mesh']> {
  return {
    serviceMeshId: meshId,
    clusters: verdicts.map((verdict) => ({
      clusterId: verdict.clusterId,
      inMesh: verdict.phase !== 'notInMesh',
      ...(verdict.state ? { state: verdict.state } : {}),
      ...(verdict.errorMessage ? { errorMessage: verdict.errorMessage.slice(0, 1024) } : {}),
      ...(verdict.gaps.length > 0 ? { missing: verdict.gaps.map((gap) => gap.gap) } : {}),
    })),
  };
}

/** Reconciling's reason while a failure is retried (and no change is needed to clear it). */
export const RETRYING_AFTER_FAILURE = 'RetryingAfterFailure';

/**
 * kstatus's conditions for a computed Ready: Stalled (and not Reconciling) when a failure or a
 * problem of the spec needs a change, else Reconciling until Available; none once Available.
 */
export function progressConditions(
  ready: ConditionInput,
  failures: RecordedFailure[],
  problems: StatusInputs['problems'],
): ConditionInput[] {
  const lasting = failures.filter((failure) => failure.needsChange);
  if (lasting.length > 0 || problems.length > 0) {
    return [
      {
        type: CONDITION_TYPES.stalled,
        status: 'True',
        reason: lasting[0]?.reason ?? SPEC_PROBLEM,
        message: [...problems.map((problem) => problem.message), ...lasting.map((failure) => failure.message)].join(
          '\n',
        ),
      },
    ];
  }
  if (ready.status === 'True') return [];
  return [
    {
      type: CONDITION_TYPES.reconciling,
      status: 'True',
      reason: failures.length > 0 ? RETRYING_AFTER_FAILURE : ready.reason,
      message: ready.message,
    },
  ];
}

/**
 * The status after a run that failed before it could compute one (the mesh unknown or unreadable,
 * the credentials refused, an input no retry fixes): Ready False with what failed, and Stalled or
 * Reconciling as progressConditions says; the other conditions stay as they were. A failure that
 * needs a change also marks the spec observed (kstatus reads the conditions only when
 * status.observedGeneration is the object's generation, and would otherwise say InProgress
 * forever); a status computed for an older spec then no longer describes this one, so it says Failed.
 */
export function failedRunStatus(
  previous: AsmPvlStatus | undefined,
  failure: RecordedFailure,
  generation: number | undefined,
  now: Date,
): AsmPvlStatus {
  const ready: ConditionInput = {
    type: CONDITION_TYPES.ready,
    status: 'False',
    reason: failure.reason,
    message: failure.message,
  };
  const replaced = new Set<string>([CONDITION_TYPES.ready, CONDITION_TYPES.reconciling, CONDITION_TYPES.stalled]);
  const kept = (previous?.conditions ?? []).filter((candidate) => !replaced.has(candidate.type));
  const conditions = [
    ...[ready, ...progressConditions(ready, [failure], [])].map((input) => condition(input, previous, generation, now)),
    ...kept,
  ];
  if (!failure.needsChange || generation === undefined) return { ...(previous ?? {}), conditions };
  const stale = previous?.observedGeneration !== generation;
  return { ...(previous ?? {}), ...(stale ? { status: 'Failed' } : {}), observedGeneration: generation, conditions };
}

/**
 * The conditions to write when a run starts on a spec the status does not answer yet (a new object,
 * a changed spec): Reconciling True, so kstatus reads InProgress before the first status is computed.
 */
export function startedConditions(
  previous: AsmPvlStatus | undefined,
  generation: number | undefined,
  now: Date,
): StatusCondition[] {
  const started: ConditionInput = {
    type: CONDITION_TYPES.reconciling,
    status: 'True',
    reason: 'Reconciling',
    message: generation === undefined ? 'reconciling the spec' : `reconciling generation ${generation} of the spec`,
  };
  const kept = (previous?.conditions ?? []).filter(
    (candidate) => candidate.type !== CONDITION_TYPES.reconciling && candidate.type !== CONDITION_TYPES.stalled,
  );
  return [condition(started, previous, generation, now), ...kept];
}

/** The whole status subresource. */
export function buildStatus(inputs: StatusInputs): AsmPvlStatus {
  const views = linkViews(inputs.clusterIds, inputs.inventory);
  const resolved = resolveResources(inputs.inventory);
  const pilotService = resolved.services.get(keyName(serviceKey('pilot', undefined)));
  const pilotExtra =
    inputs.clusterIds.length > 0 && pilotService && pilotService.status !== 'Active'
      ? [`shared Pilot service ${pilotService.serviceId} is ${pilotService.status ?? 'unknown'}`]
      : [];
  const linksOverall = overallStatus(
    views,
    pilotService?.status === 'Active',
    inputs.failures,
    inputs.problems,
    inputs.inProgress,
  );
  const viewOf = (clusterId: string, link: LinkKind) =>
    views.find((view) => view.clusterId === clusterId && view.link === link)!;

  const apiServerLinks = linksCondition(
    CONDITION_TYPES.apiServerLinks,
    'apiserver',
    views,
    inputs.failures,
    inputs.problems,
    [],
  );
  const pilotLinks = linksCondition(
    CONDITION_TYPES.pilotLinks,
    'pilot',
    views,
    inputs.failures,
    inputs.problems,
    pilotExtra,
  );
  // A cluster the mesh lists but the spec does not (disconnected, or added by hand) is recorded
  // when the mesh cannot run it: it has no links, and someone should connect it or remove it.
  const strays = (inputs.mesh?.clusters ?? [])
    .filter((cluster) => !inputs.clusterIds.includes(cluster.clusterId) && cluster.state !== 'running')
    .map((cluster) => cluster.clusterId);
  const allVerdicts = inputs.mesh
    ? meshVerdicts({
        clusterIds: [...inputs.clusterIds, ...strays],
        meshClusters: inputs.mesh.clusters,
        links: [...views, ...linkViews(strays, inputs.inventory)],
        pilotServiceActive: !pilotService || pilotService.status === 'Active',
        clusterFacts: inputs.clusterFacts,
      })
    : undefined;
  const verdicts = allVerdicts?.filter((verdict) => inputs.clusterIds.includes(verdict.clusterId));
  const meshFailure = inputs.failures.find((failure) => failure.area === 'mesh');
  const meshReady = meshCondition(inputs.mesh?.meshId ?? 'of this object', verdicts, meshFailure, inputs.advice);
  const overall = withMeshVerdict(linksOverall, meshReady, verdicts, inputs.inProgress);
  const firstFailure = inputs.failures[0];
  const ready: ConditionInput = {
    type: CONDITION_TYPES.ready,
    status: overall === 'Available' ? 'True' : 'False',
    reason:
      overall === 'Available'
        ? 'Available'
        : firstFailure
          ? overall === 'Failed'
            ? 'ProvisioningFailed'
            : 'PartlyFailed'
          : linksOverall === 'Available'
            ? 'MeshNotReady'
            : overall,
    message:
      overall === 'Available'
        ? `all ${inputs.clusterIds.length} cluster(s) connected both ways and running in the mesh`
        : (firstFailure?.message ??
          [apiServerLinks, pilotLinks, meshReady]
            .filter((candidate) => candidate.status !== 'True')
            .map((candidate) => candidate.message)
            .join('\n')),
  };

  const handled = inputs.handledRequest ?? inputs.previous?.lastHandledReconcileAt;
  const conditions = [
    ready,
    ...progressConditions(ready, inputs.failures, inputs.problems),
    apiServerLinks,
    pilotLinks,
    sanCondition(inputs, views),
    meshReady,
    ...(inputs.extraConditions ?? []),
  ].map((input) => condition(input, inputs.previous, inputs.generation, inputs.now));

  return {
    clusters: inputs.clusterIds.map((clusterId) => {
      const view = viewOf(clusterId, 'apiserver');
      return {
        clusterId,
        ...(view.endpoint ? { pvlEndpoint: endpointStatus(view.endpoint) } : {}),
        ...(view.service ? { pvlEndpointService: serviceStatus(view.service) } : {}),
      };
    }),
    pilot: {
      clusters: inputs.clusterIds.map((clusterId) => {
        const view = viewOf(clusterId, 'pilot');
        return { clusterId, ...(view.endpoint ? { pvlEndpoint: endpointStatus(view.endpoint) } : {}) };
      }),
      ...(pilotService ? { pvlEndpointService: serviceStatus(pilotService) } : {}),
    },
    ...(inputs.mesh && allVerdicts ? { mesh: meshRecord(inputs.mesh.meshId, allVerdicts) } : {}),
    status: overall,
    ...(inputs.generation !== undefined ? { observedGeneration: inputs.generation } : {}),
    conditions,
    ...(handled !== undefined ? { lastHandledReconcileAt: handled } : {}),
  };
}

/** `conditions` with one condition set (added or replaced in place), by the rule of `condition`. */
export function setCondition(
  conditions: StatusCondition[] | undefined,
  input: ConditionInput,
  generation: number | undefined,
  now: Date,
): StatusCondition[] {
  const next = condition(input, { conditions }, generation, now);
  const list = conditions ?? [];
  return list.some((existing) => existing.type === input.type)
    ? list.map((existing) => (existing.type === input.type ? next : existing))
    : [...list, next];
}
