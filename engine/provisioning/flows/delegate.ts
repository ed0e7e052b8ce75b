/**
 * A flow handed to a running asmpvl-controller: the plugin has edited the spec (or only asked), and
 * waits until the controller's status answers its request, showing the status as it moves. The
 * controller does the cloud work; two provisioners never act side by side.
 */
import type { StoredConfig } from '../../kube/store';
import type { ControllerPresence } from '../controller-protocol';
import { ProvisioningInputError } from '../errors';
import { type AsmPvlStatus, CONDITION_TYPES, type RecordedFailure, RETRYING_AFTER_FAILURE } from '../status';
import { systemClock } from '../../clock';
import { pollUntil } from '../waits';
import type { FlowContext } from './context';

// The controller writes its status within a second of each step; a person watches at this pace.
const POLL_MS = 500;

type Condition = NonNullable<AsmPvlStatus['conditions']>[number];

const conditionOf = (config: StoredConfig, type: string): Condition | undefined =>
  config.status?.conditions?.find((condition) => condition.type === type);

/** The controller refused the object (another manager owns its status): waiting would never end. */
function refusal(config: StoredConfig): string | undefined {
  const condition = conditionOf(config, 'Controller');
  return condition?.status === 'False' ? condition.message : undefined;
}

/**
 * Whether the controller's status is one to report: Available, Stalled, or failing and retrying.
 * Reconciling without a failure (the mesh still starting a cluster just added: the controller comes
 * back for it) is on its way, and the plugin waits on as it does when it provisions itself.
 */
function settled(config: StoredConfig): boolean {
  const reconciling = conditionOf(config, CONDITION_TYPES.reconciling);
  return reconciling?.status !== 'True' || reconciling.reason === RETRYING_AFTER_FAILURE;
}

/**
 * Waits for the controller to answer `token` and for that answer to settle; resolves to the object
 * as it then is.
 */
export async function awaitController(
  context: FlowContext,
  presence: ControllerPresence,
  token: string,
): Promise<StoredConfig> {
  const { progress, store } = context;
  progress.info(
    `asmpvl-controller reconciles asmpvlconfig/default (lease ${presence.lease}, leader ${presence.holder}): asked it, waiting for its status`,
  );
  let shown = '';
  const read = async () => {
    const config = await store.getConfig();
    const ready = config && conditionOf(config, 'Ready');
    const line = config ? `status: ${config.status?.status ?? 'none yet'}${ready ? ` (${ready.reason})` : ''}` : '';
    if (line && line !== shown) progress.info(line);
    shown = line;
    return config;
  };
  const config = await pollUntil(
    read,
    (found) =>
      !found || refusal(found) !== undefined || (found.status?.lastHandledReconcileAt === token && settled(found)),
    {
      deadline: context.deadline,
      waits: {
        clock: context.waits?.clock ?? systemClock,
        initialMs: POLL_MS,
        lateFraction: 0,
        maxIntervalMs: POLL_MS,
        perWaitMs: Number.POSITIVE_INFINITY,
      },
      signal: context.signal,
      what: `asmpvl-controller to answer the reconcile request ${token} and settle`,
      describe: (found) => `status ${found?.status?.status ?? 'none'}`,
    },
  );
  if (!config) throw new ProvisioningInputError('asmpvlconfig/default was deleted while the controller worked on it');
  const refused = refusal(config);
  if (refused) throw new ProvisioningInputError(refused);
  return config;
}

const AREA_CONDITION = { apiserver: 'APIServerLinks', pilot: 'PilotLinks', mesh: 'MeshReady' } as const;

type LinkStatus = { id?: string; status?: string; connectionStatus?: string };

/** What is off with one link as the status records it, or undefined when it is Active (and Connected). */
function linkProblem(what: string, link: LinkStatus | undefined, endpoint: boolean): string | undefined {
  if (!link?.id) return `${what} is missing`;
  if (link.status !== 'Active') return `${what} ${link.id} is ${link.status ?? 'in an unknown state'}`;
  if (endpoint && link.connectionStatus !== 'Connected')
    return `${what} ${link.id} is ${link.connectionStatus ?? 'not connected'}`;
  return undefined;
}

/**
 * What the status's own fields say is off with `clusterId`: its links and the mesh's view of it.
 * A cluster the status does not list (the spec no longer has it) has nothing to say.
 */
function clusterFailures(status: AsmPvlStatus, clusterId: string): RecordedFailure[] {
  const apiServer = status.clusters?.find((cluster) => cluster.clusterId === clusterId);
  if (!apiServer) return [];
  const pilot = status.pilot?.clusters?.find((cluster) => cluster.clusterId === clusterId);
  const failure = (area: keyof typeof AREA_CONDITION, reason: string, message: string | undefined) => {
    if (!message) return [];
    // The condition of the same area carries the cloud's words (code, request id, what to do).
    const condition = status.conditions?.find((found) => found.type === AREA_CONDITION[area]);
    const said = condition?.status === 'False' && condition.message ? `; ${condition.type}: ${condition.message}` : '';
    return [
      { area, clusterId, reason: condition?.reason ?? reason, message: `cluster ${clusterId}: ${message}${said}` },
    ];
  };
  const links = [
    ...failure(
      'apiserver',
      'LinkNotReady',
      linkProblem('its API-server endpoint service', apiServer.pvlEndpointService, false),
    ),
    ...failure('apiserver', 'LinkNotReady', linkProblem('its API-server endpoint', apiServer.pvlEndpoint, true)),
    ...failure('pilot', 'LinkNotReady', linkProblem('its Pilot endpoint', pilot?.pvlEndpoint, true)),
  ];
  if (links.length > 0) return links;
  const member = status.mesh?.clusters?.find((cluster) => cluster.clusterId === clusterId);
  if (!member || (member.inMesh && member.state === 'running')) return [];
  const lacking = member.missing?.length ? ` (it lacks: ${member.missing.join(', ')})` : '';
  const seen = member.inMesh ? `lists it as ${member.state ?? 'not running'}` : 'does not list it';
  return failure('mesh', 'MeshNotRunning', `service mesh ${status.mesh?.serviceMeshId ?? ''} ${seen}${lacking}`);
}

/**
 * The failures the controller's status records for `clusterIds` (none when Available): each
 * cluster's, read from its own fields (its links, the mesh's view of it); when none of them is off,
 * the cause is shared (the Pilot service, the mesh, discovery) and the failing conditions say it.
 */
export function failuresInStatus(status: AsmPvlStatus | undefined, clusterIds: string[]): RecordedFailure[] {
  if (!status || status.status === 'Available') return [];
  const ofClusters = clusterIds.flatMap((clusterId) => clusterFailures(status, clusterId));
  if (ofClusters.length > 0) return ofClusters;
  const ready = status.conditions?.find((condition) => condition.type === 'Ready');
  const failing = (status.conditions ?? []).filter(
    (condition) => condition.status === 'False' && condition.type !== 'Ready',
  );
  const chosen = failing.length > 0 ? failing : ready ? [ready] : [];
  return chosen.map((condition) => ({
    area: 'discovery',
    reason: condition.reason ?? 'NotAvailable',
    message: `${condition.type}: ${condition.message ?? condition.reason ?? 'not available'}`,
  }));
}
