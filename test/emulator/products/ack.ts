// ACK, CS 2015-12-15 (ROA): cluster details and resources, the API server certificate SANs
// (ModifyCluster) and the task that applies them (DescribeTaskInfo).
import { isoSeconds, type Cloud, type ClusterTask } from '../cloud';
import { ApiError, illegalParam, missingParam } from '../errors';
import type { WorldCluster } from '../world';
import type { Caller, RoaContext, RoaProduct, RoaRoute } from './product';

const KUBERNETES_VERSION = '1.30.1-aliyun.1';

function clusterNotFound(clusterId: string): ApiError {
  return new ApiError('ErrorClusterNotFound', `The specified cluster ${clusterId} does not exist.`, 404);
}

/** A cluster of the caller's (another account's clusters do not exist for it). */
function ownCluster(cloud: Cloud, caller: Caller, clusterId: string): WorldCluster {
  const cluster = cloud.cluster(clusterId);
  if (!cluster || cloud.vpcOwner(cluster.vpcId) !== caller.accountId) throw clusterNotFound(clusterId);
  return cluster;
}

const describeClusterDetail: RoaRoute = {
  action: 'DescribeClusterDetail',
  method: 'GET',
  path: /^\/clusters\/([^/]+)$/,
  mutating: false,
  handle({ cloud, caller, pathParams }: RoaContext) {
    const cluster = ownCluster(cloud, caller, pathParams[0]!);
    const state = cloud.clusters.get(cluster.clusterId)!;
    const lb = cloud.loadBalancer(cluster.apiServerLoadBalancerId)!;
    const intranetEndpoint = `https://${lb.address}:6443`;
    const detail: Record<string, unknown> = {
      cluster_id: cluster.clusterId,
      name: cluster.name,
      region_id: cloud.world.regionId,
      zone_id: cloud.vSwitch(cluster.vSwitchIds[0]!)?.zoneId ?? '',
      state: state.state,
      cluster_type: cluster.clusterType ?? 'ManagedKubernetes',
      profile: 'Default',
      cluster_spec: 'ack.pro.small',
      current_version: KUBERNETES_VERSION,
      init_version: KUBERNETES_VERSION,
      vpc_id: cluster.vpcId,
      vswitch_id: cluster.vSwitchIds.join(','),
      vswitch_ids: [...cluster.vSwitchIds],
      security_group_id: cluster.securityGroupId,
      network_mode: 'vpc',
      proxy_mode: 'ipvs',
      container_cidr: '172.20.0.0/16',
      service_cidr: '172.21.0.0/20',
      deletion_protection: true,
      resource_group_id: 'rg-default',
      created: '2024-01-01T00:00:00+08:00',
      updated: state.updated,
      size: 3,
      tags: [],
      // A JSON string, not an object, as the API returns it.
      master_url: JSON.stringify({
        api_server_endpoint: '',
        dashboard_endpoint: '',
        intranet_api_server_endpoint: intranetEndpoint,
      }),
      // Older clusters report their custom SANs only here, as ExtraCertSAN (what Terraform reads).
      meta_data: JSON.stringify({
        ExtraCertSAN: [...state.extraSans],
        KubernetesVersion: KUBERNETES_VERSION,
        ClusterType: cluster.clusterType ?? 'ManagedKubernetes',
      }),
      control_plane_endpoints_config: {
        load_balancers_config: [
          { endpoint: intranetEndpoint, endpoint_type: 'intranet', load_balancer_id: lb.loadBalancerId },
        ],
      },
    };
    if (!cluster.sansOnlyInMetaData) detail.extra_sans = [...state.extraSans];
    return detail;
  },
};

const describeClusterResources: RoaRoute = {
  action: 'DescribeClusterResources',
  method: 'GET',
  path: /^\/clusters\/([^/]+)\/resources$/,
  mutating: false,
  handle({ cloud, caller, pathParams }: RoaContext) {
    const cluster = ownCluster(cloud, caller, pathParams[0]!);
    const created = '2024-01-01T00:00:00+08:00';
    const item = (resourceType: string, instanceId: string, logicalId: string, autoCreate: number) => ({
      cluster_id: cluster.clusterId,
      created,
      instance_id: instanceId,
      // A JSON string, as the API returns it; Id is the template's logical id.
      resource_info: JSON.stringify({ Id: logicalId, Name: logicalId, Type: resourceType, PhysicalId: instanceId }),
      resource_type: resourceType,
      state: 'CREATE_COMPLETE',
      auto_create: autoCreate,
      creator_type: autoCreate === 1 ? 'ROS' : 'User',
      dependencies: [],
    });
    return [
      item('ALIYUN::ECS::VPC', cluster.vpcId, 'k8s_vpc', 0),
      ...cluster.vSwitchIds.map((id, index) => item('ALIYUN::ECS::VSwitch', id, `k8s_vswitch_${index + 1}`, 0)),
      item('ALIYUN::ECS::SecurityGroup', cluster.securityGroupId, 'k8s_sg', 1),
      // An NLB in front of the API server (newer clusters) is listed as such; its resource name is
      // assumed, so the plugin finds it through control_plane_endpoints_config, as it must then.
      cluster.apiServerLoadBalancerId.startsWith('nlb-')
        ? item('ALIYUN::NLB::LoadBalancer', cluster.apiServerLoadBalancerId, 'k8s_master_nlb', 1)
        : item('ALIYUN::SLB::LoadBalancer', cluster.apiServerLoadBalancerId, 'k8s_master_slb', 1),
    ];
  },
};

/** A DNS name (optionally with a leading wildcard label) or an IPv4 address. */
const SAN =
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^\d{1,3}(\.\d{1,3}){3}$/i;

function readSanChange(body: unknown): { action: 'append' | 'overwrite'; names: string[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ApiError('InvalidParameter', 'The request body must be a JSON object.');
  const change = (body as Record<string, unknown>).api_server_custom_cert_sans;
  if (change === undefined) throw missingParam('api_server_custom_cert_sans');
  if (change === null || typeof change !== 'object')
    throw illegalParam('api_server_custom_cert_sans', 'an object {action, subject_alternative_names}');
  const { action, subject_alternative_names: names } = change as Record<string, unknown>;
  if (action !== 'append' && action !== 'overwrite')
    throw illegalParam('api_server_custom_cert_sans.action', 'append or overwrite');
  if (!Array.isArray(names) || names.length === 0)
    throw illegalParam(
      'api_server_custom_cert_sans.subject_alternative_names',
      'a non-empty list of DNS names or IP addresses',
    );
  for (const name of names) {
    if (typeof name !== 'string' || name.length > 253 || !SAN.test(name)) {
      throw illegalParam(
        'api_server_custom_cert_sans.subject_alternative_names',
        `${JSON.stringify(name)} is not a DNS name or IP address`,
      );
    }
  }
  return { action, names: names as string[] };
}

/** Append keeps every SAN already there and adds the new ones once; overwrite replaces them all. */
export function applySanChange(current: string[], action: 'append' | 'overwrite', names: string[]): string[] {
  if (action === 'overwrite') return [...new Set(names)];
  return [...new Set([...current, ...names])];
}

const modifyCluster: RoaRoute = {
  action: 'ModifyCluster',
  method: 'PUT',
  path: /^\/api\/v2\/clusters\/([^/]+)$/,
  mutating: true,
  handle({ cloud, caller, pathParams, body, requestId }: RoaContext) {
    const cluster = ownCluster(cloud, caller, pathParams[0]!);
    const change = readSanChange(body);
    const state = cloud.clusters.get(cluster.clusterId)!;
    // Custom SANs can be changed only on managed clusters (dedicated ones: at creation only).
    if (!(cluster.clusterType ?? 'ManagedKubernetes').startsWith('Managed')) {
      throw new ApiError(
        'ErrorClusterType',
        `The cluster ${cluster.clusterId} is a ${cluster.clusterType} cluster; custom API server SANs can be changed only on managed clusters.`,
      );
    }
    if (state.state !== 'running') {
      throw new ApiError(
        'ErrorClusterState',
        `The cluster ${cluster.clusterId} is ${state.state}; it must be running to be modified.`,
      );
    }
    const now = isoSeconds(cloud.now());
    const task: ClusterTask = {
      taskId: cloud.ids.taskId(),
      clusterId: cluster.clusterId,
      taskType: 'cluster_update_api_server_cert_sans',
      state: 'running',
      created: now,
      updated: now,
      sanAction: change.action,
      subjectAlternativeNames: change.names,
    };
    cloud.tasks.set(task.taskId, task);
    // Updating the SANs restarts the API server: the cluster is updating until the task ends.
    state.state = 'updating';
    state.updated = now;
    const fails = cloud.clusterTaskFails();
    cloud.after(
      cloud.delays.clusterTaskMs,
      `task ${task.taskId} (SANs of ${cluster.clusterId}) running → ${fails ? 'fail' : 'success'}`,
      () => {
        if (fails) {
          task.state = 'fail';
          task.error = {
            code: 'UpdateApiServerCertSANsFailed',
            message: `updating the API server certificate of ${cluster.clusterId} failed; the SANs are unchanged`,
          };
        } else {
          state.extraSans = applySanChange(state.extraSans, change.action, change.names);
          task.state = 'success';
        }
        state.state = 'running';
        state.updated = isoSeconds(cloud.now());
        task.updated = state.updated;
      },
    );
    return { cluster_id: cluster.clusterId, request_id: requestId, task_id: task.taskId };
  },
};

const describeTaskInfo: RoaRoute = {
  action: 'DescribeTaskInfo',
  method: 'GET',
  path: /^\/tasks\/([^/]+)$/,
  mutating: false,
  handle({ cloud, caller, pathParams }: RoaContext) {
    const task = cloud.tasks.get(pathParams[0]!);
    const cluster = task ? cloud.cluster(task.clusterId) : undefined;
    if (!task || !cluster || cloud.vpcOwner(cluster.vpcId) !== caller.accountId) {
      throw new ApiError('ErrorTaskNotFound', `The task ${pathParams[0]} does not exist.`, 404);
    }
    return {
      task_id: task.taskId,
      cluster_id: task.clusterId,
      task_type: task.taskType,
      state: task.state,
      created: task.created,
      updated: task.updated,
      current_stage: task.state === 'running' ? 'UpdateCertSANs' : '',
      target: { id: task.clusterId, type: 'cluster' },
      parameters: { action: task.sanAction, subject_alternative_names: task.subjectAlternativeNames },
      stages: [],
      events: [],
      task_result: [],
      ...(task.error ? { error: task.error } : {}),
    };
  },
};

export const ack: RoaProduct = {
  style: 'ROA',
  name: 'cs',
  version: '2015-12-15',
  routes: [describeClusterDetail, describeClusterResources, modifyCluster, describeTaskInfo],
};
