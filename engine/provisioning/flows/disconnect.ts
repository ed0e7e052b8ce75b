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
import { connectedDomains, executeRun } from '../pipeline/act';
import type { RunSettings } from '../pipeline/context';
import { leaveMeshAdvice, readMesh } from '../pipeline/mesh-membership';
import { observe } from '../pipeline/observe';
import { plan } from '../pipeline/plan';
import { writeRunStatus } from '../pipeline/report';
import { reconcileRequestToken, withReconcileRequest } from '../controller-protocol';
import type { FlowContext } from './context';
import { awaitController, failuresInStatus } from './delegate';
import {
  ANNOTATION_PILOT_LOAD_BALANCER,
  annotationsOf,
  resolveMeshId,
  specClusters,
  specRevision,
  withoutCluster,
} from '../spec-edit';
import type { AsmPvlStatus, RecordedFailure } from '../status';
import { defaultWaitPolicy } from '../waits';

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
  const session = { ...context, port: context.cloud, reportPort: context.reportCloud };
  const current = await store.getConfig();
  if (!current) throw new ProvisioningInputError('asmpvlconfig/default does not exist: there is nothing to disconnect');
  const meshId = resolveMeshId(request.meshId, request.env, current);
  const settings: RunSettings = {
    meshId,
    pilotLoadBalancerId: annotationsOf(current)[ANNOTATION_PILOT_LOAD_BALANCER],
    deadline: session.deadline,
    waits: defaultWaitPolicy,
    signal: session.signal,
    wait: true,
    progress: session.progress,
    reportCloud: session.reportPort,
  };
  const inSpec = specClusters(current).some((cluster) => cluster.clusterId === clusterId);

  if (request.dryRun) {
    const target = withoutCluster(current, clusterId);
    const scope = { clusterIds: [clusterId] };
    const planned = plan(await observe(session.port, target, scope, settings), target, scope, meshId);
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
    session.progress.start(`remove ${clusterId} from asmpvlconfig/default, for asmpvl-controller`);
    const updated = await store.updateSpec((latest) =>
      withReconcileRequest(withoutCluster(latest ?? current, clusterId), token),
    );
    session.progress.succeed(`generation ${updated.metadata.generation ?? '?'}`);
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
    const target = withoutCluster(fresh, clusterId);
    const scope = { clusterIds: [clusterId] };
    const planned = plan(await observe(session.port, target, scope, settings), target, scope, meshId);
    const sanLeft = connectedDomains(planned.observation.inventory, [clusterId]).get(clusterId);
    if (!inSpec && planned.plan.actions.length === 0 && planned.observation.failures.length === 0) {
      return { config: fresh, failures: [], cancelled: false, nothingToDo: true };
    }
    session.progress.info(`${planned.plan.actions.length} step(s) to run`);
    if (planned.plan.actions.length > 0) await context.preflight?.();
    const executed = await executeRun(session.port, planned, specRevision(fresh), settings);
    const failures = executed.failures.filter(
      (failure) => failure.clusterId === undefined || failure.clusterId === clusterId,
    );
    const done = failures.length === 0 && !executed.report.cancelled;
    if (done && inSpec) {
      session.progress.start(`remove ${clusterId} from asmpvlconfig/default`);
      const updated = await store.updateSpec((latest) => withoutCluster(latest ?? fresh, clusterId));
      session.progress.succeed(`generation ${updated.metadata.generation ?? '?'}`);
      // Leaving the mesh is not ours to decide (no API call here removes a cluster from it).
      session.progress.info(leaveMeshAdvice(meshId, clusterId));
    }
    // The remaining clusters' standing in the mesh, for the status: one read.
    const meshRead = await readMesh(session.reportPort, meshId);
    const status = await writeRunStatus(store, {
      inventory: executed.inventory,
      facts: planned.observation.facts,
      mesh: meshRead.mesh,
      failures: [...executed.failures, ...meshRead.failures],
      inProgress: executed.report.cancelled,
      advice: context.advice,
    });
    const config = (await store.getConfig()) ?? fresh;
    return {
      config: { ...config, status },
      status,
      failures,
      cancelled: executed.report.cancelled,
      sanLeft,
      nothingToDo: false,
    };
  } finally {
    await lease.release();
  }
}
