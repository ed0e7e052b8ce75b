/**
 * The `disconnect` flow: remove a cluster's endpoints and API-server endpoint service (the shared
 * Pilot service too once no cluster is left), then its spec entry, then rewrite the status (which
 * drops its entry). The cloud goes first: if a step fails, the entry stays in the spec and the
 * status says what is left, and running disconnect again finishes the job (resources are found by
 * tags, so even an entry already gone from the spec is cleaned up).
 *
 * SANs are never removed (see san-sync.ts for why); the domain left behind is named.
 */
import type { StoredConfig } from '../../kube/store';
import { ProvisioningInputError } from '../errors';
import { describePlan } from '../planner';
import { dryRun, reconcile } from '../pipeline';
import { connectedDomains } from '../pipeline/act';
import { leaveMeshAdvice } from '../pipeline/mesh-membership';
import { reconcileRequestToken, withReconcileRequest } from '../controller-protocol';
import type { FlowContext } from './context';
import { awaitController, failuresInStatus } from './delegate';
import {
  ANNOTATION_PILOT_LOAD_BALANCER,
  annotationsOf,
  resolveMeshId,
  specClusters,
  withoutCluster,
} from '../spec-edit';
import type { AsmPvlStatus, RecordedFailure } from '../status';

export interface DisconnectRequest {
  clusterId: string;
  dryRun: boolean;
  meshId?: string;
  env: NodeJS.ProcessEnv;
}

export interface DisconnectOutcome {
  config?: StoredConfig;
  planText?: string[];
  status?: AsmPvlStatus;
  failures: RecordedFailure[];
  cancelled: boolean;
  /** The SAN left on the cluster's certificate, if it had one of ours. */
  sanLeft?: string;
  /** Nothing of the cluster was found, in the spec or in the cloud. */
  nothingToDo: boolean;
}

export async function disconnect(context: FlowContext, request: DisconnectRequest): Promise<DisconnectOutcome> {
  const { clusterId } = request;
  const { store } = context;
  const current = await store.getConfig();
  if (!current) throw new ProvisioningInputError('asmpvlconfig/default does not exist: there is nothing to disconnect');
  const meshId = resolveMeshId(request.meshId, request.env, current);
  const pilotLoadBalancerId = annotationsOf(current)[ANNOTATION_PILOT_LOAD_BALANCER];
  const scope = { clusterIds: [clusterId] };
  const inSpec = specClusters(current).some((cluster) => cluster.clusterId === clusterId);

  if (request.dryRun) {
    const planned = await dryRun(context.cloud, withoutCluster(current, clusterId), scope, {
      meshId,
      pilotLoadBalancerId,
    });
    const lines = [
      ...describePlan(planned.plan),
      inSpec ? `then: remove ${clusterId} from asmpvlconfig/default` : `${clusterId} is not in asmpvlconfig/default`,
    ];
    const domain = connectedDomains(planned.observation.inventory, [clusterId]).get(clusterId);
    if (domain) lines.push(`the SAN ${domain} stays on ${clusterId}'s API server certificate (SANs are never removed)`);
    return {
      config: current,
      planText: lines,
      failures: planned.observation.failures,
      cancelled: false,
      nothingToDo: false,
    };
  }

  if (context.controller) {
    // The controller removes the cluster's links once the spec no longer lists it.
    const token = reconcileRequestToken();
    context.progress.start(`remove ${clusterId} from asmpvlconfig/default, for asmpvl-controller`);
    const updated = await store.updateSpec((latest) =>
      withReconcileRequest(withoutCluster(latest ?? current, clusterId), token),
    );
    context.progress.succeed(`generation ${updated.metadata.generation ?? '?'}`);
    const config = await awaitController(context, context.controller, token);
    const sanLeft = current.status?.clusters?.find((cluster) => cluster.clusterId === clusterId)?.pvlEndpoint
      ?.domainName;
    return {
      config,
      status: config.status,
      failures: failuresInStatus(config.status, [clusterId]),
      cancelled: false,
      sanLeft,
      nothingToDo: !inSpec,
    };
  }

  const lease = await context.holdLease();
  try {
    const fresh = (await store.getConfig()) ?? current;
    const target = { ...fresh, spec: withoutCluster(fresh, clusterId).spec };
    // The cloud goes first; the entry leaves the spec only once nothing of the cluster is left.
    const outcome = await reconcile(context, target, scope, {
      meshId,
      pilotLoadBalancerId,
      wait: true,
      addToMesh: false,
      awaitMesh: false,
      proceed: (planned) => inSpec || planned.plan.actions.length > 0 || planned.observation.failures.length > 0,
      afterAct: async (acted) => {
        const done = failuresOfCluster(acted.failures, clusterId).length === 0 && !acted.executed.report.cancelled;
        if (!done || !inSpec) return undefined;
        context.progress.start(`remove ${clusterId} from asmpvlconfig/default`);
        const updated = await store.updateSpec((latest) => withoutCluster(latest ?? fresh, clusterId));
        context.progress.succeed(`generation ${updated.metadata.generation ?? '?'}`);
        // Leaving the mesh is not ours to decide (no API call here removes a cluster from it).
        context.progress.info(leaveMeshAdvice(meshId, clusterId));
        return updated;
      },
    });
    if (outcome.stoppedBefore === 'declined')
      return { config: fresh, failures: [], cancelled: false, nothingToDo: true };
    const sanLeft = outcome.observation && connectedDomains(outcome.observation.inventory, [clusterId]).get(clusterId);
    const config = (await store.getConfig()) ?? fresh;
    return {
      config: { ...config, status: outcome.status },
      status: outcome.status,
      failures: outcome.failures,
      cancelled: outcome.cancelled,
      sanLeft,
      nothingToDo: false,
    };
  } finally {
    await lease.release();
  }
}

/** The failures of `clusterId`, and those of no one cluster. */
function failuresOfCluster(failures: RecordedFailure[], clusterId: string): RecordedFailure[] {
  return failures.filter((failure) => failure.clusterId === undefined || failure.clusterId === clusterId);
}
