/**
 * What each kind of plan step does in the cloud. Every step looks before it acts (a resource
 * already in the wanted state is left alone, "already exists" and "not found" answers count as
 * done), so a step that ran half-way in a killed run is safe to run again. Creates carry a
 * deterministic ClientToken (client-token.ts); other writes are made safe by that look, and carry
 * the client's per-call token (the same on each retry of one call).
 */
import { randomUUID } from 'node:crypto';
import type { Endpoint } from '../cloud/privatelink';
import { clientTokenFor } from './client-token';
import { hasCode, type ProvisioningCloud } from './cloud-port';
import { ProvisioningInputError } from './errors';
import { type Action, keyName, linkLabel, type ResourceKey } from './model';
import type { BatchedPoll, RunPolls } from './polls';
import { tagsFor } from './tags';
import { EndpointServiceManager } from './managers/endpoint-services';
import { type Deadline, pollUntil, type WaitPolicy } from './waits';

export interface StepContext {
  cloud: ProvisioningCloud;
  meshId: string;
  /** `<uid>/<generation>` of the spec this run serves (part of every create's ClientToken). */
  specRevision: string;
  deadline: Deadline;
  waits: WaitPolicy;
  signal?: AbortSignal;
  /** False with --no-wait: make each change and move on without waiting for it to settle. */
  wait: boolean;
  /** The id each key stands for: filled from the inventory, then by each create. */
  ids: Map<string, string>;
  /** Every state poll of the run's steps goes through these (polls.ts: many at once, one list). */
  polls: RunPolls;
}

/**
 * `done`: the step's end state holds. `started`: changed, not waited for (--no-wait). A connection
 * step that ends Connected names the endpoint's domain (what SAN sync appends).
 */
export type StepResult = { state: 'done' | 'started'; detail?: string; domain?: string };

function resolve(context: StepContext, key: ResourceKey): string {
  const id = context.ids.get(keyName(key));
  if (id) return id;
  throw new ProvisioningInputError(
    `internal: no ${key.resource} known for ${keyName(key)} when a step needed it (please report this)`,
  );
}

function token(context: StepContext, action: Action, parameters: unknown): string {
  return clientTokenFor({
    meshId: context.meshId,
    clusterId: action.clusterId,
    link: action.link,
    step: action.id,
    specRevision: context.specRevision,
    parameters,
  });
}

const oneOff = () => randomUUID();

/** Found and not on its way out. */
function isLive<T>(found: T | undefined, status: (value: T) => string | undefined): boolean {
  return found !== undefined && status(found) !== 'Deleting';
}

// ---- waiting for states ----

function pollOptions<T>(context: StepContext, what: string, describe: (value: T) => string) {
  return { deadline: context.deadline, waits: context.waits, signal: context.signal, what, describe };
}

/** Waits until the endpoint is Active, or gone (undefined). */
async function endpointSettled(context: StepContext, endpointId: string): Promise<Endpoint | undefined> {
  const { endpoints } = context.polls;
  return endpoints.watch(() =>
    pollUntil(
      () => endpoints.read(endpointId),
      (found) => found === undefined || found.endpointStatus === 'Active',
      pollOptions(
        context,
        `endpoint ${endpointId} to be Active`,
        (found) => `status ${found?.endpointStatus ?? 'gone'}`,
      ),
    ),
  );
}

async function endpointActive(context: StepContext, endpointId: string): Promise<Endpoint> {
  const endpoint = await endpointSettled(context, endpointId);
  if (!endpoint)
    throw new ProvisioningInputError(
      `endpoint ${endpointId} disappeared while we waited for it; the next run recreates it`,
    );
  return endpoint;
}

// A resource deleted behind our back more often than this within one run is someone else's fight.
const MAX_REPLAYED_CREATES = 4;

/**
 * A create whose ClientToken names this attempt, not the resource's role. The first attempt sends
 * the action's token; when the cloud answers with a resource that is gone (a replay of an earlier
 * create whose resource was deleted since: the cloud remembers tokens), the next attempt chains the
 * gone id into its token. A run resumed after a kill walks the same chain, so it re-sends the token
 * of the create that was in flight and gets that resource back, never a second one.
 */
async function createFresh(
  context: StepContext,
  action: Action,
  parameters: Record<string, unknown>,
  create: (clientToken: string) => Promise<string>,
  settle: (id: string) => Promise<boolean>,
): Promise<{ id: string; settled: boolean }> {
  const replayed: string[] = [];
  for (;;) {
    const chained = replayed.length > 0 ? { ...parameters, replacing: replayed } : parameters;
    const id = await create(token(context, action, chained));
    if (await settle(id)) return { id, settled: context.wait };
    replayed.push(id);
    if (replayed.length >= MAX_REPLAYED_CREATES)
      throw new ProvisioningInputError(
        `${replayed.join(', ')}: each was gone as soon as it was made; something deletes them (the console, another tool): stop it and the next run recreates the resource`,
      );
  }
}

async function gone<T>(
  context: StepContext,
  poll: BatchedPoll<T>,
  id: string,
  what: string,
  status: (value: T) => string | undefined,
): Promise<void> {
  await poll.watch(() =>
    pollUntil(
      () => poll.read(id),
      (found) => found === undefined,
      pollOptions(context, `${what} to be deleted`, (found) => `status ${found ? status(found) : 'gone'}`),
    ),
  );
}

const CONNECTED = 'Connected';
const ACCEPTABLE = new Set(['Pending', 'Disconnected']);
const MOVING = new Set(['Connecting', 'Disconnecting']);

// ---- the steps ----

function services(context: StepContext): EndpointServiceManager {
  return new EndpointServiceManager(context, context.polls.services);
}

async function createService(
  context: StepContext,
  action: Extract<Action, { kind: 'createService' }>,
): Promise<StepResult> {
  const serviceId = await services(context).create(
    {
      loadBalancer: action.loadBalancer,
      zones: action.zones,
      description: `asmpvl: ${linkLabel(action.link)} link${action.clusterId ? ` of ${action.clusterId}` : 's'} for mesh ${context.meshId}`,
      tags: tagsFor(context.meshId, action.link, action.clusterId),
    },
    (parameters) => token(context, action, parameters),
  );
  context.ids.set(keyName(action.key), serviceId);
  if (!context.wait) return { state: 'started', detail: serviceId };
  return { state: 'done', detail: `${serviceId} Active` };
}

async function awaitService(
  context: StepContext,
  action: Extract<Action, { kind: 'awaitService' }>,
): Promise<StepResult> {
  if (!context.wait) return { state: 'started', detail: 'not waited for (--no-wait)' };
  await services(context).active(action.serviceId);
  return { state: 'done', detail: `${action.serviceId} Active` };
}

async function attachServiceZone(
  context: StepContext,
  action: Extract<Action, { kind: 'attachServiceZone' }>,
): Promise<StepResult> {
  const serviceId = resolve(context, action.key);
  const manager = services(context);
  await manager.attachZone(serviceId, action.loadBalancer, action.zoneId);
  if (!context.wait) return { state: 'started' };
  await manager.active(serviceId);
  return { state: 'done', detail: `${serviceId} covers ${action.zoneId}` };
}

async function detachServiceZone(
  context: StepContext,
  action: Extract<Action, { kind: 'detachServiceZone' }>,
): Promise<StepResult> {
  const manager = services(context);
  await manager.detachZone(action.serviceId, action.resource);
  if (!context.wait) return { state: 'started' };
  await manager.active(action.serviceId);
  return { state: 'done' };
}

async function allowAccount(
  context: StepContext,
  action: Extract<Action, { kind: 'allowAccount' }>,
): Promise<StepResult> {
  const serviceId = resolve(context, action.key);
  await services(context).allowAccount(serviceId, action.accountId);
  return { state: 'done', detail: `${action.accountId} allowed on ${serviceId}` };
}

async function createEndpoint(
  context: StepContext,
  action: Extract<Action, { kind: 'createEndpoint' }>,
): Promise<StepResult> {
  const serviceId = resolve(context, action.serviceKey);
  const parameters = { serviceId, vpcId: action.vpcId, securityGroupIds: action.securityGroupIds, zones: action.zones };
  const created = await createFresh(
    context,
    action,
    parameters,
    async (clientToken) =>
      (
        await context.cloud.createEndpoint({
          vpcId: action.vpcId,
          serviceId,
          securityGroupIds: action.securityGroupIds,
          zones: action.zones,
          endpointName: `asmpvl-${action.link}-${action.clusterId}`,
          endpointDescription: `asmpvl: ${linkLabel(action.link)} link of ${action.clusterId} for mesh ${context.meshId}`,
          tags: tagsFor(context.meshId, action.link, action.clusterId),
          clientToken,
        })
      ).endpointId,
    async (endpointId) =>
      context.wait
        ? (await endpointSettled(context, endpointId)) !== undefined
        : isLive(await context.cloud.getEndpoint(endpointId), (found) => found.endpointStatus),
  );
  context.ids.set(keyName(action.key), created.id);
  if (!created.settled) return { state: 'started', detail: created.id };
  return { state: 'done', detail: `${created.id} Active` };
}

async function awaitEndpoint(
  context: StepContext,
  action: Extract<Action, { kind: 'awaitEndpoint' }>,
): Promise<StepResult> {
  if (!context.wait) return { state: 'started', detail: 'not waited for (--no-wait)' };
  await endpointActive(context, action.endpointId);
  return { state: 'done', detail: `${action.endpointId} Active` };
}

async function addEndpointZone(
  context: StepContext,
  action: Extract<Action, { kind: 'addEndpointZone' }>,
): Promise<StepResult> {
  const endpointId = resolve(context, action.key);
  // A zone change locks the endpoint (Pending) until it settles: one at a time.
  await endpointActive(context, endpointId);
  try {
    await context.cloud.addEndpointZone({
      endpointId,
      zoneId: action.zone.zoneId,
      vSwitchId: action.zone.vSwitchId,
      clientToken: oneOff(),
    });
  } catch (error) {
    if (!hasCode(error, 'EndpointZoneDuplicated')) throw error;
  }
  if (!context.wait) return { state: 'started' };
  await endpointActive(context, endpointId);
  return { state: 'done', detail: `${endpointId} in ${action.zone.zoneId}` };
}

async function removeEndpointZone(
  context: StepContext,
  action: Extract<Action, { kind: 'removeEndpointZone' }>,
): Promise<StepResult> {
  const endpointId = resolve(context, action.key);
  await endpointActive(context, endpointId);
  try {
    await context.cloud.removeEndpointZone(endpointId, action.zoneId, oneOff());
  } catch (error) {
    if (!hasCode(error, 'EndpointZoneNotFound')) throw error;
  }
  if (!context.wait) return { state: 'started' };
  await endpointActive(context, endpointId);
  return { state: 'done' };
}

async function connectEndpoint(
  context: StepContext,
  action: Extract<Action, { kind: 'connectEndpoint' }>,
): Promise<StepResult> {
  const endpointId = resolve(context, action.key);
  const serviceId = resolve(context, action.serviceKey);
  // Looked up again rather than trusted from the plan: the connection may have moved since.
  const endpoint = await endpointActive(context, endpointId);
  const status = endpoint.connectionStatus ?? 'unknown';
  if (status === CONNECTED)
    return { state: 'done', detail: `${endpointId} Connected`, domain: endpoint.endpointDomain };
  if (ACCEPTABLE.has(status)) await context.cloud.enableConnection(serviceId, endpointId, oneOff());
  else if (!MOVING.has(status)) {
    throw new ProvisioningInputError(
      `the connection of endpoint ${endpointId} to ${serviceId} is ${status}; delete the endpoint (disconnect) and connect again`,
    );
  }
  if (!context.wait) return { state: 'started' };
  const { endpoints } = context.polls;
  const connected = await endpoints.watch(() =>
    pollUntil(
      () => endpoints.read(endpointId),
      (found) => found === undefined || found.connectionStatus === CONNECTED,
      pollOptions(
        context,
        `the connection of endpoint ${endpointId} to be Connected`,
        (found) => `connection ${found?.connectionStatus ?? 'gone'}`,
      ),
    ),
  );
  if (!connected)
    throw new ProvisioningInputError(
      `endpoint ${endpointId} disappeared while its connection was being accepted; run the command again`,
    );
  return {
    state: 'done',
    detail: `${endpointId} Connected`,
    domain: connected.endpointDomain ?? endpoint.endpointDomain,
  };
}

async function deleteEndpoint(
  context: StepContext,
  action: Extract<Action, { kind: 'deleteEndpoint' }>,
): Promise<StepResult> {
  const { endpointId } = action;
  const endpoint = await context.cloud.getEndpoint(endpointId);
  if (!endpoint) return { state: 'done', detail: 'already gone' };
  if (endpoint.endpointStatus !== 'Deleting') {
    // Only an Active endpoint can be deleted; one being created or changed is waited for first.
    await endpointActive(context, endpointId);
    try {
      await context.cloud.deleteEndpoint(endpointId, oneOff());
    } catch (error) {
      if (!hasCode(error, 'EndpointNotFound')) throw error;
    }
  }
  if (!context.wait) return { state: 'started' };
  await gone(context, context.polls.endpoints, endpointId, `endpoint ${endpointId}`, (found) => found.endpointStatus);
  return { state: 'done', detail: `${endpointId} deleted` };
}

async function deleteService(
  context: StepContext,
  action: Extract<Action, { kind: 'deleteService' }>,
): Promise<StepResult> {
  const { serviceId } = action;
  const manager = services(context);
  if ((await manager.delete(serviceId)) === 'gone') return { state: 'done', detail: 'already gone' };
  if (!context.wait) return { state: 'started' };
  await manager.gone(serviceId);
  return { state: 'done', detail: `${serviceId} deleted` };
}

/** Runs one step. */
export function runStep(context: StepContext, action: Action): Promise<StepResult> {
  switch (action.kind) {
    case 'createService':
      return createService(context, action);
    case 'awaitService':
      return awaitService(context, action);
    case 'attachServiceZone':
      return attachServiceZone(context, action);
    case 'detachServiceZone':
      return detachServiceZone(context, action);
    case 'allowAccount':
      return allowAccount(context, action);
    case 'createEndpoint':
      return createEndpoint(context, action);
    case 'awaitEndpoint':
      return awaitEndpoint(context, action);
    case 'addEndpointZone':
      return addEndpointZone(context, action);
    case 'removeEndpointZone':
      return removeEndpointZone(context, action);
    case 'connectEndpoint':
      return connectEndpoint(context, action);
    case 'deleteEndpoint':
      return deleteEndpoint(context, action);
    case 'deleteService':
      return deleteService(context, action);
  }
}
