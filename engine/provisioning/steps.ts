/**
 * The step dispatcher: which manager call (managers/) each kind of plan step is, and what the step
 * reports. The managers look before they act and own the answers they take as already done, so a
 * step that ran half-way in a killed run is safe to run again; here a step only resolves the ids
 * it needs, makes its change and, unless the run does not wait (--no-wait), waits for it to settle.
 */
import { clientTokenFor } from './client-token';
import type { ProvisioningCloud } from './cloud-port';
import { InternalError } from './errors';
import { type Action, keyName, linkLabel, type ResourceKey } from './model';
import type { RunPolls } from './polls';
import { tagsFor } from './tags';
import { EndpointServiceManager } from './managers/endpoint-services';
import { EndpointManager } from './managers/endpoints';
import { type Deadline, type WaitPolicy, WaitHeldError } from './waits';

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
 * `done`: the step's end state holds. `started`: changed, not waited for (--no-wait, or the run's
 * hold ended the wait). A connection step that ends Connected names the endpoint's domain (what SAN
 * sync appends).
 */
export type StepResult = { state: 'done' | 'started'; detail?: string; domain?: string };

function resolve(context: StepContext, key: ResourceKey): string {
  const id = context.ids.get(keyName(key));
  if (id) return id;
  throw new InternalError(`no ${key.resource} known for ${keyName(key)} when a step needed it`);
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

function endpoints(context: StepContext): EndpointManager {
  return new EndpointManager(context, context.polls.endpoints);
}

async function createEndpoint(
  context: StepContext,
  action: Extract<Action, { kind: 'createEndpoint' }>,
): Promise<StepResult> {
  const endpointId = await endpoints(context).create(
    {
      serviceId: resolve(context, action.serviceKey),
      vpcId: action.vpcId,
      securityGroupIds: action.securityGroupIds,
      zones: action.zones,
      name: `asmpvl-${action.link}-${action.clusterId}`,
      description: `asmpvl: ${linkLabel(action.link)} link of ${action.clusterId} for mesh ${context.meshId}`,
      tags: tagsFor(context.meshId, action.link, action.clusterId),
    },
    (parameters) => token(context, action, parameters),
  );
  context.ids.set(keyName(action.key), endpointId);
  if (!context.wait) return { state: 'started', detail: endpointId };
  return { state: 'done', detail: `${endpointId} Active` };
}

async function awaitEndpoint(
  context: StepContext,
  action: Extract<Action, { kind: 'awaitEndpoint' }>,
): Promise<StepResult> {
  if (!context.wait) return { state: 'started', detail: 'not waited for (--no-wait)' };
  await endpoints(context).active(action.endpointId);
  return { state: 'done', detail: `${action.endpointId} Active` };
}

async function addEndpointZone(
  context: StepContext,
  action: Extract<Action, { kind: 'addEndpointZone' }>,
): Promise<StepResult> {
  const endpointId = resolve(context, action.key);
  const manager = endpoints(context);
  await manager.addZone(endpointId, action.zone);
  if (!context.wait) return { state: 'started' };
  await manager.active(endpointId);
  return { state: 'done', detail: `${endpointId} in ${action.zone.zoneId}` };
}

async function removeEndpointZone(
  context: StepContext,
  action: Extract<Action, { kind: 'removeEndpointZone' }>,
): Promise<StepResult> {
  const endpointId = resolve(context, action.key);
  const manager = endpoints(context);
  await manager.removeZone(endpointId, action.zoneId);
  if (!context.wait) return { state: 'started' };
  await manager.active(endpointId);
  return { state: 'done' };
}

async function connectEndpoint(
  context: StepContext,
  action: Extract<Action, { kind: 'connectEndpoint' }>,
): Promise<StepResult> {
  const endpointId = resolve(context, action.key);
  const manager = endpoints(context);
  const start = await manager.accept(endpointId, resolve(context, action.serviceKey));
  const domain = start.endpoint.endpointDomain;
  if (start.state === 'connected') return { state: 'done', detail: `${endpointId} Connected`, domain };
  if (!context.wait) return { state: 'started' };
  const connected = await manager.connected(endpointId);
  return { state: 'done', detail: `${endpointId} Connected`, domain: connected.endpointDomain ?? domain };
}

async function deleteEndpoint(
  context: StepContext,
  action: Extract<Action, { kind: 'deleteEndpoint' }>,
): Promise<StepResult> {
  const { endpointId } = action;
  const manager = endpoints(context);
  if ((await manager.delete(endpointId)) === 'gone') return { state: 'done', detail: 'already gone' };
  if (!context.wait) return { state: 'started' };
  await manager.gone(endpointId);
  return { state: 'done', detail: `${endpointId} deleted` };
}

async function awaitEndpointGone(
  context: StepContext,
  action: Extract<Action, { kind: 'awaitEndpointGone' }>,
): Promise<StepResult> {
  if (!context.wait) return { state: 'started', detail: 'not waited for (--no-wait)' };
  await endpoints(context).gone(action.endpointId);
  return { state: 'done', detail: `${action.endpointId} deleted` };
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

/**
 * Runs one step. A wait the run's hold ended leaves the step `started`: its change is made or under
 * way, and the steps after it are left for the next run.
 */
export async function runStep(context: StepContext, action: Action): Promise<StepResult> {
  try {
    return await dispatch(context, action);
  } catch (error) {
    if (error instanceof WaitHeldError) return { state: 'started', detail: error.message };
    throw error;
  }
}

function dispatch(context: StepContext, action: Action): Promise<StepResult> {
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
    case 'awaitEndpointGone':
      return awaitEndpointGone(context, action);
    case 'deleteService':
      return deleteService(context, action);
  }
}
