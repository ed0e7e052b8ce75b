// ASM, servicemesh 2020-01-11 (RPC, central endpoint, no RegionId).
import { isoSeconds } from '../../cloud';
import { ApiError } from '../../errors';
import type { RpcAction, RpcContext, RpcProduct } from '../product';

/** The world's mesh, if the id names it and the caller owns its VPC. */
function ownMesh(context: RpcContext) {
  const serviceMeshId = context.params.requiredString('ServiceMeshId');
  const mesh = context.cloud.world.serviceMesh;
  if (mesh.serviceMeshId !== serviceMeshId || context.cloud.vpcOwner(mesh.vpcId) !== context.caller.accountId) {
    throw new ApiError('ServiceMesh.NotFound', `The service mesh ${serviceMeshId} does not exist.`, 404);
  }
  return mesh;
}

const describeServiceMeshDetail: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud } = context;
    const mesh = ownMesh(context);
    const pilotLb = cloud.loadBalancer(mesh.pilotLoadBalancerId)!;
    const apiServerLb = cloud.loadBalancer(mesh.apiServerLoadBalancerId)!;
    return {
      ServiceMesh: {
        ServiceMeshInfo: {
          ServiceMeshId: mesh.serviceMeshId,
          Name: mesh.name,
          RegionId: cloud.world.regionId,
          State: 'running',
          ErrorMessage: '',
          Profile: 'Default',
          Version: mesh.version ?? '',
          CreationTime: '2024-01-01T00:00:00Z',
          UpdateTime: '2024-01-01T00:00:00Z',
        },
        Spec: {
          Network: { VpcId: mesh.vpcId, SecurityGroupId: mesh.securityGroupId, VSwitches: [...mesh.vSwitchIds] },
          // No field names the private Pilot load balancer: PilotPublicLoadbalancerId is the Internet one.
          LoadBalancer: {
            ApiServerLoadbalancerId: mesh.apiServerLoadBalancerId,
            ApiServerPublicEip: false,
            PilotPublicEip: false,
            PilotPublicLoadbalancerId: '',
          },
          MeshConfig: { EnableLocalityLB: false, Telemetry: true, Tracing: false, OutboundTrafficPolicy: 'ALLOW_ANY' },
        },
        Endpoints: {
          IntranetPilotEndpoint: `${pilotLb.address}:15011`,
          IntranetApiServerEndpoint: `https://${apiServerLb.address}:6443`,
          PublicPilotEndpoint: '',
          PublicApiServerEndpoint: '',
        },
        Clusters: [...cloud.meshMembers.keys()],
        OwnerId: cloud.vpcOwner(mesh.vpcId),
        OwnerType: 'customer',
        ClusterSpec: 'standard',
      },
    };
  },
};

const describeClustersInServiceMesh: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud } = context;
    ownMesh(context);
    return {
      Clusters: [...cloud.meshMembers.values()].map((member) => {
        const cluster = cloud.cluster(member.clusterId)!;
        const view = cloud.meshClusterView(member);
        return {
          ClusterId: cluster.clusterId,
          Name: cluster.name,
          RegionId: cloud.world.regionId,
          VpcId: cluster.vpcId,
          SgId: cluster.securityGroupId,
          ClusterType: cluster.clusterType ?? 'ManagedKubernetes',
          ClusterDomain: 'cluster.local',
          State: view.state,
          ErrorMessage: view.errorMessage,
          CreationTime: member.addedAt,
          UpdateTime: member.addedAt,
          Version: '1.30.1-aliyun.1',
        };
      }),
    };
  },
};

const addClusterIntoServiceMesh: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, params } = context;
    const mesh = ownMesh(context);
    const clusterId = params.requiredString('ClusterId');
    const cluster = cloud.cluster(clusterId);
    // A cluster of another account may join the mesh (the mesh in one account, clusters in others);
    // how ASM is authorised in that account is not modelled (**assumed**).
    if (!cluster) {
      throw new ApiError('Cluster.NotFound', `The cluster ${clusterId} does not exist.`, 404);
    }
    params.optionalBoolean('IgnoreNamespaceCheck');
    params.optionalBoolean('DiscoveryOnly');
    if (cloud.meshMembers.has(clusterId)) {
      throw new ApiError(
        'Cluster.AlreadyExists',
        `The cluster ${clusterId} is already in the service mesh ${mesh.serviceMeshId}.`,
      );
    }
    const member = { clusterId, fromWorld: false, addedAt: isoSeconds(cloud.now()), joined: false };
    cloud.meshMembers.set(clusterId, member);
    cloud.after(cloud.delays.meshJoinMs, `mesh ${mesh.serviceMeshId} looks at cluster ${clusterId}`, () => {
      member.joined = true;
    });
    return {};
  },
};

export const serviceMesh: RpcProduct = {
  style: 'RPC',
  name: 'servicemesh',
  code: 'servicemesh',
  version: '2020-01-11',
  hostId: () => 'servicemesh.aliyuncs.com',
  clientTokens: false,
  actions: {
    DescribeServiceMeshDetail: describeServiceMeshDetail,
    DescribeClustersInServiceMesh: describeClustersInServiceMesh,
    AddClusterIntoServiceMesh: addClusterIntoServiceMesh,
  },
};
