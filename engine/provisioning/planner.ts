/**
 * The reconcile planner: the desired state and what the cloud holds in, an ordered list of steps
 * with their dependencies out. Pure: no call, no clock. A converged system plans nothing.
 *
 * Order of the steps of one link: the endpoint service (create, or wait for one being created),
 * its zones, then the endpoint (create, or wait), its zones, then the connection. Tear-down runs
 * the other way: endpoints before the services they reach, endpoint zones before the service
 * zones they use. Steps of different clusters do not depend on each other, so the executor runs
 * them side by side.
 */
import { listForSentence } from '../../core';
import {
  type Action,
  type DesiredLink,
  type DesiredState,
  type Inventory,
  keyName,
  type LinkKind,
  linkLabel,
  type LoadBalancerRef,
  type ObservedEndpoint,
  type ObservedService,
  type Plan,
  type PlanScope,
  type ResourceKey,
  type VSwitchPlacement,
} from './model';
import { ENDPOINT_STATES, SERVICE_STATES } from './managers/states';

const SHARED = 'shared';
const GONE_SOON = ENDPOINT_STATES.going;

// ---- choosing the one resource of each key ----

type States = { settled: string; settling: ReadonlySet<string> };

function rank(status: string | undefined, states: States): number {
  if (status === states.settled) return 0;
  if (status !== undefined && states.settling.has(status)) return 1;
  return 2;
}

// Active first, then the oldest, then by id: the same choice on every run.
function byPreference<T extends { status?: string; createTime?: string }>(states: States, idOf: (item: T) => string) {
  return (a: T, b: T) =>
    rank(a.status, states) - rank(b.status, states) ||
    (a.createTime ?? '').localeCompare(b.createTime ?? '') ||
    idOf(a).localeCompare(idOf(b));
}

export interface ResolvedResources {
  /** The service each key keeps. */
  services: Map<string, ObservedService>;
  /** The endpoint each key keeps (it reaches the kept service). */
  endpoints: Map<string, ObservedEndpoint>;
  /** Ours, but not kept: duplicates, or endpoints reaching a service we do not keep. */
  surplusServices: ObservedService[];
  surplusEndpoints: ObservedEndpoint[];
}

export function serviceKey(link: LinkKind, clusterId: string | undefined): ResourceKey {
  return link === 'pilot' ? { resource: 'service', link } : { resource: 'service', link, clusterId };
}

export function endpointKey(link: LinkKind, clusterId: string): ResourceKey {
  return { resource: 'endpoint', link, clusterId };
}

/**
 * Which existing resource stands for each key. Resources being deleted are ignored (they are on
 * their way out); of several for one key, the preferred one is kept and the rest are surplus.
 */
export function resolveResources(inventory: Inventory): ResolvedResources {
  const services = new Map<string, ObservedService>();
  const surplusServices: ObservedService[] = [];
  const liveServices = inventory.services
    .filter((service) => service.status !== SERVICE_STATES.going)
    .sort(byPreference(SERVICE_STATES, (service) => service.serviceId));
  for (const service of liveServices) {
    const name = keyName(serviceKey(service.link, service.clusterId));
    if (services.has(name) || (service.link === 'apiserver' && !service.clusterId)) surplusServices.push(service);
    else services.set(name, service);
  }
  const endpoints = new Map<string, ObservedEndpoint>();
  const surplusEndpoints: ObservedEndpoint[] = [];
  const liveEndpoints = inventory.endpoints
    .filter((endpoint) => endpoint.status !== ENDPOINT_STATES.going)
    .sort(byPreference(ENDPOINT_STATES, (endpoint) => endpoint.endpointId));
  for (const endpoint of liveEndpoints) {
    const name = keyName(endpointKey(endpoint.link, endpoint.clusterId));
    const service = services.get(keyName(serviceKey(endpoint.link, endpoint.clusterId)));
    if (endpoints.has(name) || endpoint.serviceId !== service?.serviceId) surplusEndpoints.push(endpoint);
    else endpoints.set(name, endpoint);
  }
  return { services, endpoints, surplusServices, surplusEndpoints };
}

// ---- building the plan ----

class PlanBuilder {
  readonly actions: Action[] = [];

  add<T extends Action>(action: T): T {
    this.actions.push(action);
    return action;
  }

  has(id: string): boolean {
    return this.actions.some((action) => action.id === id);
  }
}

function prefix(link: LinkKind, clusterId: string | undefined): string {
  return `${link}/${clusterId ?? SHARED}`;
}

function serviceLabel(link: LinkKind, clusterId: string | undefined): string {
  return link === 'pilot' ? 'the shared Pilot endpoint service' : `the API-server endpoint service of ${clusterId}`;
}

function endpointLabel(link: LinkKind, clusterId: string): string {
  return `the ${linkLabel(link)} endpoint of ${clusterId}`;
}

function ids(actions: Array<Action | undefined>): string[] {
  return actions.flatMap((action) => (action ? [action.id] : []));
}

/** The last step of a chain, so the next step can depend on it. */
interface Chain {
  tail: string[];
}

/**
 * The steps that make one endpoint service exist, be Active and cover `zones` with `loadBalancer`.
 * Returns what later steps wait for, and the attach step per zone.
 */
function planService(
  builder: PlanBuilder,
  key: ResourceKey,
  observed: ObservedService | undefined,
  loadBalancer: LoadBalancerRef,
  zones: string[],
): { chain: Chain; attachIn: Map<string, string> } {
  const base = prefix(key.link, key.clusterId);
  const label = serviceLabel(key.link, key.clusterId);
  const attachIn = new Map<string, string>();
  const common = { link: key.link, clusterId: key.clusterId };
  if (!observed) {
    const create = builder.add({
      ...common,
      kind: 'createService',
      id: `${base}/create-service`,
      description: `create ${label} on ${loadBalancer.loadBalancerId} in ${listForSentence(zones)}`,
      dependsOn: [],
      mutating: true,
      key,
      loadBalancer,
      zones,
    });
    for (const zone of zones) attachIn.set(zone, create.id);
    return { chain: { tail: [create.id] }, attachIn };
  }
  let tail: string[] = [];
  if (observed.status !== SERVICE_STATES.settled) {
    tail = [
      builder.add({
        ...common,
        kind: 'awaitService',
        id: `${base}/await-service`,
        description: `wait for ${label} ${observed.serviceId} to be Active (now ${observed.status ?? 'unknown'})`,
        dependsOn: [],
        mutating: false,
        serviceId: observed.serviceId,
      }).id,
    ];
  }
  for (const zone of zones) {
    const covered = observed.resources.some(
      (resource) => resource.zoneId === zone && resource.resourceId === loadBalancer.loadBalancerId,
    );
    if (covered) continue;
    const attach = builder.add({
      ...common,
      kind: 'attachServiceZone',
      id: `${base}/attach-zone/${zone}`,
      description: `add zone ${zone} to ${label} ${observed.serviceId} (${loadBalancer.loadBalancerId})`,
      dependsOn: tail,
      mutating: true,
      key,
      loadBalancer,
      zoneId: zone,
    });
    attachIn.set(zone, attach.id);
    tail = [attach.id];
  }
  return { chain: { tail }, attachIn };
}

// Same-account links need no allowlist entry (AddUserToVpcEndpointService is for other accounts); a cross-account one does.
function allowAccount(
  builder: PlanBuilder,
  key: ResourceKey,
  observed: ObservedService | undefined,
  link: DesiredLink,
  after: string[],
): string[] {
  const consumer = link.consumerAccountId;
  if (!consumer || !link.providerAccountId || consumer === link.providerAccountId) return [];
  if (observed?.allowedAccountIds?.includes(consumer)) return [];
  const id = `${prefix(key.link, key.clusterId)}/allow-account/${consumer}`;
  if (builder.has(id)) return [id];
  return [
    builder.add({
      link: key.link,
      clusterId: key.clusterId,
      kind: 'allowAccount',
      id,
      description: `allow account ${consumer} to connect to ${serviceLabel(key.link, key.clusterId)}`,
      dependsOn: after,
      mutating: true,
      key,
      accountId: consumer,
    }).id,
  ];
}

function zoneDiff(
  wanted: VSwitchPlacement[],
  endpoint: ObservedEndpoint,
): { add: VSwitchPlacement[]; remove: string[] } {
  const live = endpoint.zones.filter((zone) => zone.status !== GONE_SOON);
  // A zone served from another vSwitch than the spec says is replaced: removed, then added.
  const remove = live
    .filter(
      (zone) =>
        !wanted.some(
          (placement) =>
            placement.zoneId === zone.zoneId &&
            (zone.vSwitchId === undefined || placement.vSwitchId === zone.vSwitchId),
        ),
    )
    .map((zone) => zone.zoneId);
  const add = wanted.filter(
    (placement) => !live.some((zone) => zone.zoneId === placement.zoneId) || remove.includes(placement.zoneId),
  );
  return { add, remove };
}

/** The steps that make one link's endpoint exist in the right zones and be Connected. */
function planEndpoint(
  builder: PlanBuilder,
  link: DesiredLink,
  observed: ObservedEndpoint | undefined,
  service: { chain: Chain; attachIn: Map<string, string> },
  allowed: string[],
): { removedZones: Map<string, string> } {
  const key = endpointKey(link.link, link.clusterId);
  const sKey = serviceKey(link.link, link.clusterId);
  const base = prefix(link.link, link.clusterId);
  const label = endpointLabel(link.link, link.clusterId);
  const common = { link: link.link, clusterId: link.clusterId };
  const removedZones = new Map<string, string>();
  const zonesDone = (zoneIds: string[]) => [
    ...new Set([
      ...service.chain.tail,
      ...allowed,
      ...zoneIds.flatMap((zone) => (service.attachIn.has(zone) ? [service.attachIn.get(zone)!] : [])),
    ]),
  ];

  if (!observed) {
    const create = builder.add({
      ...common,
      kind: 'createEndpoint',
      id: `${base}/create-endpoint`,
      description: `create ${label} in ${link.endpointVpcId} (${listForSentence(link.endpointZones.map((zone) => zone.zoneId))})`,
      dependsOn: zonesDone(link.endpointZones.map((zone) => zone.zoneId)),
      mutating: true,
      key,
      serviceKey: sKey,
      vpcId: link.endpointVpcId,
      securityGroupIds: link.endpointSecurityGroupIds,
      zones: link.endpointZones,
    });
    connect(builder, link, [create.id], ENDPOINT_STATES.awaitingAccept);
    return { removedZones };
  }

  let tail: string[] = [];
  if (observed.status !== ENDPOINT_STATES.settled) {
    tail = [
      builder.add({
        ...common,
        kind: 'awaitEndpoint',
        id: `${base}/await-endpoint`,
        description: `wait for ${label} ${observed.endpointId} to be Active (now ${observed.status ?? 'unknown'})`,
        dependsOn: [],
        mutating: false,
        endpointId: observed.endpointId,
      }).id,
    ];
  }
  const { add, remove } = zoneDiff(link.endpointZones, observed);
  // Zones are added before others are removed, so the link is never without an interface; a zone
  // moving to another vSwitch must be removed first (one interface per zone).
  const replaced = remove.filter((zoneId) => add.some((zone) => zone.zoneId === zoneId));
  for (const zoneId of replaced) tail = [removeZone(builder, link, key, observed, zoneId, tail, removedZones)];
  for (const zone of add) {
    tail = [
      builder.add({
        ...common,
        kind: 'addEndpointZone',
        id: `${base}/add-zone/${zone.zoneId}`,
        description: `add zone ${zone.zoneId} (${zone.vSwitchId}) to ${label} ${observed.endpointId}`,
        dependsOn: [...new Set([...tail, ...zonesDone([zone.zoneId])])],
        mutating: true,
        key,
        zone,
      }).id,
    ];
  }
  for (const zoneId of remove.filter((zone) => !replaced.includes(zone)))
    tail = [removeZone(builder, link, key, observed, zoneId, tail, removedZones)];
  if (observed.connectionStatus !== ENDPOINT_STATES.connected) connect(builder, link, tail, observed.connectionStatus);
  return { removedZones };
}

function removeZone(
  builder: PlanBuilder,
  link: DesiredLink,
  key: ResourceKey,
  observed: ObservedEndpoint,
  zoneId: string,
  after: string[],
  removedZones: Map<string, string>,
): string {
  const action = builder.add({
    link: link.link,
    clusterId: link.clusterId,
    kind: 'removeEndpointZone',
    id: `${prefix(link.link, link.clusterId)}/remove-zone/${zoneId}`,
    description: `remove zone ${zoneId} from ${endpointLabel(link.link, link.clusterId)} ${observed.endpointId}`,
    dependsOn: after,
    mutating: true,
    key,
    zoneId,
  });
  removedZones.set(zoneId, action.id);
  return action.id;
}

function connect(builder: PlanBuilder, link: DesiredLink, after: string[], status: string | undefined): void {
  // Connecting needs only waiting; Pending or Disconnected needs the provider to accept it.
  const mutating = status !== ENDPOINT_STATES.connecting;
  builder.add({
    link: link.link,
    clusterId: link.clusterId,
    kind: 'connectEndpoint',
    id: `${prefix(link.link, link.clusterId)}/connect`,
    description: mutating
      ? `accept the connection of ${endpointLabel(link.link, link.clusterId)}`
      : `wait for ${endpointLabel(link.link, link.clusterId)} to be Connected`,
    dependsOn: after,
    mutating,
    key: endpointKey(link.link, link.clusterId),
    serviceKey: serviceKey(link.link, link.clusterId),
  });
}

function deleteEndpoint(builder: PlanBuilder, endpoint: ObservedEndpoint, why: string): Action {
  return builder.add({
    link: endpoint.link,
    clusterId: endpoint.clusterId,
    kind: 'deleteEndpoint',
    id: `${prefix(endpoint.link, endpoint.clusterId)}/delete-endpoint/${endpoint.endpointId}`,
    description: `delete ${endpointLabel(endpoint.link, endpoint.clusterId)} ${endpoint.endpointId} (${why})`,
    dependsOn: [],
    mutating: true,
    endpointId: endpoint.endpointId,
  });
}

// Its own kind, not a deleteEndpoint that finds the endpoint Deleting: a wait is never reported as a change.
function awaitEndpointGone(builder: PlanBuilder, endpoint: ObservedEndpoint): Action {
  return builder.add({
    link: endpoint.link,
    clusterId: endpoint.clusterId,
    kind: 'awaitEndpointGone',
    id: `${prefix(endpoint.link, endpoint.clusterId)}/await-endpoint-gone/${endpoint.endpointId}`,
    description: `wait for ${endpointLabel(endpoint.link, endpoint.clusterId)} ${endpoint.endpointId} to be deleted (already being deleted)`,
    dependsOn: [],
    mutating: false,
    endpointId: endpoint.endpointId,
  });
}

function deleteService(builder: PlanBuilder, service: ObservedService, endpointDeletes: Action[], why: string): Action {
  return builder.add({
    link: service.link,
    clusterId: service.clusterId,
    kind: 'deleteService',
    id: `${prefix(service.link, service.clusterId)}/delete-service/${service.serviceId}`,
    description: `delete ${serviceLabel(service.link, service.clusterId)} ${service.serviceId} (${why})`,
    dependsOn: ids(endpointDeletes),
    mutating: true,
    serviceId: service.serviceId,
  });
}

function inScope(scope: PlanScope, clusterId: string | undefined): boolean {
  if (scope === 'all') return true;
  return clusterId !== undefined && scope.clusterIds.includes(clusterId);
}

/**
 * The steps that bring the cloud from `inventory` to `desired`, for the clusters in `scope` (and
 * the shared Pilot service as far as they need it). Clusters outside the scope are never touched;
 * a cluster in the spec whose links cannot be planned (see `desired.problems`) is never torn down.
 */
export function planReconcile(desired: DesiredState, inventory: Inventory, scope: PlanScope): Plan {
  const builder = new PlanBuilder();
  const resolved = resolveResources(inventory);
  const wanted = new Set(desired.clusterIds);
  const wantedLinks = desired.links.filter((link) => inScope(scope, link.clusterId));
  const endpointDeletes: Action[] = [];
  const zoneRemovals: Array<{ serviceKey: string; zoneId: string; actionId: string }> = [];

  // Tear-down first in the list: surplus and unwanted endpoints, which free services and zones.
  const unwantedEndpoints = [...resolved.endpoints.values()].filter(
    (endpoint) => inScope(scope, endpoint.clusterId) && !wanted.has(endpoint.clusterId),
  );
  for (const endpoint of unwantedEndpoints)
    endpointDeletes.push(deleteEndpoint(builder, endpoint, 'cluster no longer in the spec'));
  for (const endpoint of resolved.surplusEndpoints.filter((candidate) => inScope(scope, candidate.clusterId))) {
    endpointDeletes.push(deleteEndpoint(builder, endpoint, 'a duplicate, or it reaches a service we no longer use'));
  }
  // Endpoints already being deleted (a run stopped after asking): a service cannot go before they do.
  for (const endpoint of inventory.endpoints.filter(
    (candidate) => candidate.status === GONE_SOON && inScope(scope, candidate.clusterId),
  )) {
    endpointDeletes.push(awaitEndpointGone(builder, endpoint));
  }

  // The shared Pilot service, as far as the clusters in scope need it.
  const pilotLinks = wantedLinks.filter((link) => link.link === 'pilot');
  const pilotKey = serviceKey('pilot', undefined);
  const observedPilot = resolved.services.get(keyName(pilotKey));
  const pilotService =
    pilotLinks.length > 0
      ? planService(builder, pilotKey, observedPilot, desired.pilotService.loadBalancer, desired.pilotService.zones)
      : undefined;
  const touchesPilot =
    scope === 'all' ||
    pilotLinks.length > 0 ||
    inventory.endpoints.some((endpoint) => endpoint.link === 'pilot' && inScope(scope, endpoint.clusterId));

  const apiServerServices = new Map<string, { chain: Chain; attachIn: Map<string, string> }>();
  for (const link of wantedLinks) {
    const sKey = serviceKey(link.link, link.clusterId);
    const observedService = resolved.services.get(keyName(sKey));
    const service =
      link.link === 'pilot'
        ? pilotService!
        : planService(
            builder,
            sKey,
            observedService,
            desired.apiServerServices[link.clusterId]!.loadBalancer,
            link.serviceZones,
          );
    if (link.link === 'apiserver') apiServerServices.set(link.clusterId, service);
    const allowed = allowAccount(builder, sKey, observedService, link, service.chain.tail);
    const observedEndpoint = resolved.endpoints.get(keyName(endpointKey(link.link, link.clusterId)));
    const { removedZones } = planEndpoint(builder, link, observedEndpoint, service, allowed);
    for (const [zoneId, actionId] of removedZones) zoneRemovals.push({ serviceKey: keyName(sKey), zoneId, actionId });
  }

  // Services no longer wanted: a cluster's API-server service, and the Pilot service once no
  // cluster is left in the spec and none of our endpoints still reaches it.
  const endpointIdOf = (action: Action) =>
    action.kind === 'deleteEndpoint' || action.kind === 'awaitEndpointGone' ? action.endpointId : undefined;
  const deletedEndpointIds = new Set(endpointDeletes.map(endpointIdOf));
  const dependentDeletes = (serviceId: string) =>
    endpointDeletes.filter(
      (action) =>
        inventory.endpoints.find((endpoint) => endpoint.endpointId === endpointIdOf(action))?.serviceId === serviceId,
    );
  for (const service of resolved.services.values()) {
    if (service.link !== 'apiserver' || !inScope(scope, service.clusterId) || wanted.has(service.clusterId!)) continue;
    deleteService(builder, service, dependentDeletes(service.serviceId), 'cluster no longer in the spec');
  }
  for (const service of resolved.surplusServices.filter((candidate) =>
    candidate.link === 'pilot' ? touchesPilot : inScope(scope, candidate.clusterId),
  )) {
    deleteService(builder, service, dependentDeletes(service.serviceId), 'a duplicate');
  }
  const pilotUsers = inventory.endpoints.filter(
    (endpoint) =>
      endpoint.serviceId === observedPilot?.serviceId &&
      endpoint.status !== GONE_SOON &&
      !deletedEndpointIds.has(endpoint.endpointId),
  );
  if (observedPilot && touchesPilot && desired.clusterIds.length === 0 && pilotUsers.length === 0) {
    deleteService(builder, observedPilot, dependentDeletes(observedPilot.serviceId), 'no cluster is left');
  } else if (observedPilot && touchesPilot) {
    planDetaches(
      builder,
      observedPilot,
      desired.pilotService.zones,
      desired.pilotService.loadBalancer,
      pilotUsers,
      dependentDeletes(observedPilot.serviceId),
      zoneRemovals,
      pilotService?.attachIn,
    );
  }
  for (const link of wantedLinks.filter((candidate) => candidate.link === 'apiserver')) {
    const sKey = serviceKey('apiserver', link.clusterId);
    const observedService = resolved.services.get(keyName(sKey));
    if (!observedService) continue;
    const users = inventory.endpoints.filter(
      (endpoint) =>
        endpoint.serviceId === observedService.serviceId &&
        endpoint.status !== GONE_SOON &&
        !deletedEndpointIds.has(endpoint.endpointId),
    );
    const planned = apiServerServices.get(link.clusterId);
    planDetaches(
      builder,
      observedService,
      link.serviceZones,
      desired.apiServerServices[link.clusterId]!.loadBalancer,
      users,
      dependentDeletes(observedService.serviceId),
      zoneRemovals,
      planned?.attachIn,
    );
  }

  const known = [
    ...[...resolved.services.entries()].map(([, service]) => ({
      key: serviceKey(service.link, service.clusterId),
      id: service.serviceId,
    })),
    ...[...resolved.endpoints.entries()].map(([, endpoint]) => ({
      key: endpointKey(endpoint.link, endpoint.clusterId),
      id: endpoint.endpointId,
    })),
  ];
  return { actions: builder.actions, known };
}

/**
 * Detaches the service's resources that the desired state no longer asks for: a zone no cluster
 * pairs in any more (once no endpoint of ours uses it), or another load balancer in a zone the
 * desired one now covers. The last resource of a service is never detached.
 */
function planDetaches(
  builder: PlanBuilder,
  service: ObservedService,
  zones: string[],
  loadBalancer: LoadBalancerRef,
  users: ObservedEndpoint[],
  endpointDeletes: Action[],
  zoneRemovals: Array<{ serviceKey: string; zoneId: string; actionId: string }>,
  attachIn: Map<string, string> | undefined,
): void {
  const surplus = service.resources.filter(
    (resource) => !(zones.includes(resource.zoneId) && resource.resourceId === loadBalancer.loadBalancerId),
  );
  const sKey = keyName(serviceKey(service.link, service.clusterId));
  let remaining = service.resources.length + zones.filter((zone) => attachIn?.has(zone)).length;
  for (const resource of surplus) {
    const zoneStillWanted = zones.includes(resource.zoneId);
    const removals = zoneRemovals
      .filter((removal) => removal.serviceKey === sKey && removal.zoneId === resource.zoneId)
      .map((removal) => removal.actionId);
    const stillUsed = users.some(
      (endpoint) =>
        endpoint.zones.some((zone) => zone.zoneId === resource.zoneId && zone.status !== GONE_SOON) &&
        !removals.some((id) => id.startsWith(prefix(endpoint.link, endpoint.clusterId))),
    );
    if ((!zoneStillWanted && stillUsed) || remaining <= 1) continue;
    remaining -= 1;
    const attach = attachIn?.get(resource.zoneId);
    builder.add({
      link: service.link,
      clusterId: service.clusterId,
      kind: 'detachServiceZone',
      id: `${prefix(service.link, service.clusterId)}/detach-zone/${resource.zoneId}/${resource.resourceId}`,
      description: `remove ${resource.resourceId} in ${resource.zoneId} from ${serviceLabel(service.link, service.clusterId)} ${service.serviceId}`,
      dependsOn: [...removals, ...ids(endpointDeletes), ...(attach ? [attach] : [])],
      mutating: true,
      serviceId: service.serviceId,
      resource,
    });
  }
}

/** The plan as lines a person reads (`connect --dry-run`). */
export function describePlan(plan: Plan): string[] {
  if (plan.actions.length === 0) return ['nothing to do: the cloud already matches the spec'];
  return plan.actions.map((action, index) => {
    const after = action.dependsOn
      .map((id) => plan.actions.findIndex((candidate) => candidate.id === id) + 1)
      .filter((n) => n > 0);
    return `${String(index + 1).padStart(2)}. ${action.description}${after.length > 0 ? `  (after ${after.join(', ')})` : ''}`;
  });
}
