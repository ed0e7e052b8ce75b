import { directCloud, type DirectCloud } from '../../testing/direct';
import { twoClusters } from '../../testing/worlds';
import type { World } from '../../world';
import { refusal } from '../../testing/refusal';

const { world, mesh, cluster1, cluster2, vSwitchIn } = twoClusters();
const DELAYS = { serviceCreateMs: 100, endpointCreateMs: 100, connectMs: 100, clusterTaskMs: 100, meshJoinMs: 50 };

function clusterView(cloud: DirectCloud, clusterId: string): { State: string; ErrorMessage: string } {
  const clusters = cloud.rpc('servicemesh', 'DescribeClustersInServiceMesh', { ServiceMeshId: mesh.serviceMeshId })
    .Clusters as Array<{ ClusterId: string; State: string; ErrorMessage: string }>;
  const found = clusters.find((cluster) => cluster.ClusterId === clusterId);
  if (!found) throw new Error(`${clusterId} is not in the mesh`);
  return { State: found.State, ErrorMessage: found.ErrorMessage };
}

/** A service on `loadBalancerId` in zone `zoneId`, auto-accepting, and an endpoint to it from `vpcId`. */
function link(
  cloud: DirectCloud,
  loadBalancerId: string,
  vpcId: string,
  securityGroupId: string,
  zoneId: string,
): { endpointDomain: string } {
  const { ServiceId } = cloud.rpc('privatelink', 'CreateVpcEndpointService', {
    RegionId: 'cn-hangzhou',
    AutoAcceptEnabled: true,
    Resource: [{ ResourceId: loadBalancerId, ResourceType: 'slb', ZoneId: zoneId }],
  });
  cloud.advance(DELAYS.serviceCreateMs);
  const endpoint = cloud.rpc('privatelink', 'CreateVpcEndpoint', {
    RegionId: 'cn-hangzhou',
    VpcId: vpcId,
    ServiceId,
    SecurityGroupId: [securityGroupId],
    Zone: [{ VSwitchId: vSwitchIn(vpcId, zoneId), ZoneId: zoneId }],
  });
  return { endpointDomain: endpoint.EndpointDomain };
}

describe('ASM actions', () => {
  it("DescribeServiceMeshDetail answers the mesh's network, load balancers and intranet Pilot endpoint", () => {
    const cloud = directCloud(world, DELAYS);
    const { ServiceMesh } = cloud.rpc('servicemesh', 'DescribeServiceMeshDetail', {
      ServiceMeshId: mesh.serviceMeshId,
    });
    expect(ServiceMesh.ServiceMeshInfo).toMatchObject({
      ServiceMeshId: mesh.serviceMeshId,
      Name: 'asm-prod',
      RegionId: 'cn-hangzhou',
      State: 'running',
    });
    expect(ServiceMesh.Spec.Network).toEqual({
      VpcId: mesh.vpcId,
      SecurityGroupId: mesh.securityGroupId,
      VSwitches: mesh.vSwitchIds,
    });
    expect(ServiceMesh.Spec.LoadBalancer.ApiServerLoadbalancerId).toBe(mesh.apiServerLoadBalancerId);
    expect(ServiceMesh.Endpoints.IntranetPilotEndpoint).toBe('192.168.1.10:15011');
    expect(ServiceMesh.Clusters).toEqual([]);
  });

  it('refuses an unknown mesh with ServiceMesh.NotFound and a missing id with MissingParam.ServiceMeshId', () => {
    const cloud = directCloud(world, DELAYS);
    expect(refusal(() => cloud.rpc('servicemesh', 'DescribeServiceMeshDetail', { ServiceMeshId: 'c0000' })).code).toBe(
      'ServiceMesh.NotFound',
    );
    expect(refusal(() => cloud.rpc('servicemesh', 'DescribeClustersInServiceMesh', {})).code).toBe(
      'MissingParam.ServiceMeshId',
    );
  });

  it('AddClusterIntoServiceMesh adds a cluster once; unknown clusters are refused', () => {
    const cloud = directCloud(world, DELAYS);
    cloud.rpc('servicemesh', 'AddClusterIntoServiceMesh', {
      ServiceMeshId: mesh.serviceMeshId,
      ClusterId: cluster1.clusterId,
    });
    expect(clusterView(cloud, cluster1.clusterId).State).toBe('starting');
    expect(
      refusal(() =>
        cloud.rpc('servicemesh', 'AddClusterIntoServiceMesh', {
          ServiceMeshId: mesh.serviceMeshId,
          ClusterId: cluster1.clusterId,
        }),
      ).code,
    ).toBe('Cluster.AlreadyExists');
    expect(
      refusal(() =>
        cloud.rpc('servicemesh', 'AddClusterIntoServiceMesh', {
          ServiceMeshId: mesh.serviceMeshId,
          ClusterId: 'c0000',
        }),
      ).code,
    ).toBe('Cluster.NotFound');
  });

  it('reports clusters the world put in the mesh as running', () => {
    const joined: World = structuredClone(world);
    joined.serviceMesh.clusterIds = [cluster2.clusterId];
    const cloud = directCloud(joined, DELAYS);
    expect(clusterView(cloud, cluster2.clusterId)).toEqual({ State: 'running', ErrorMessage: '' });
  });
});

describe("the mesh's view of a cluster in another VPC (causal model)", () => {
  it("stays failed until both links are Connected and the SANs hold the API server endpoint's domain", () => {
    const cloud = directCloud(world, DELAYS);
    cloud.rpc('servicemesh', 'AddClusterIntoServiceMesh', {
      ServiceMeshId: mesh.serviceMeshId,
      ClusterId: cluster1.clusterId,
    });
    cloud.advance(DELAYS.meshJoinMs);
    const first = clusterView(cloud, cluster1.clusterId);
    expect(first.State).toBe('failed');
    expect(first.ErrorMessage).toContain('the control plane cannot reach the API server');
    expect(first.ErrorMessage).toContain('sidecars cannot reach Pilot');

    const apiServer = link(cloud, cluster1.apiServerLoadBalancerId, mesh.vpcId, mesh.securityGroupId, 'cn-hangzhou-j');
    cloud.advance(DELAYS.endpointCreateMs);
    expect(clusterView(cloud, cluster1.clusterId).ErrorMessage).toContain(
      'the control plane cannot reach the API server',
    );
    cloud.advance(DELAYS.connectMs);
    const second = clusterView(cloud, cluster1.clusterId);
    expect(second.ErrorMessage).not.toContain('cannot reach the API server');
    expect(second.ErrorMessage).toContain(
      `x509: the API server certificate of ${cluster1.clusterId} is not valid for ${apiServer.endpointDomain}`,
    );

    link(cloud, mesh.pilotLoadBalancerId, cluster1.vpcId, cluster1.securityGroupId, 'cn-hangzhou-j');
    cloud.advance(DELAYS.endpointCreateMs + DELAYS.connectMs);
    expect(clusterView(cloud, cluster1.clusterId)).toEqual({
      State: 'failed',
      ErrorMessage: expect.stringMatching(/^x509: /),
    });

    cloud.roa('ModifyCluster', [cluster1.clusterId], {
      api_server_custom_cert_sans: { action: 'append', subject_alternative_names: [apiServer.endpointDomain] },
    });
    expect(clusterView(cloud, cluster1.clusterId).State).toBe('failed');
    cloud.advance(DELAYS.clusterTaskMs);
    expect(clusterView(cloud, cluster1.clusterId)).toEqual({ State: 'running', ErrorMessage: '' });
  });

  it('falls back to failed when a link is disconnected', () => {
    const cloud = directCloud(world, DELAYS);
    cloud.rpc('servicemesh', 'AddClusterIntoServiceMesh', {
      ServiceMeshId: mesh.serviceMeshId,
      ClusterId: cluster2.clusterId,
    });
    const apiServer = link(cloud, cluster2.apiServerLoadBalancerId, mesh.vpcId, mesh.securityGroupId, 'cn-hangzhou-k');
    link(cloud, mesh.pilotLoadBalancerId, cluster2.vpcId, cluster2.securityGroupId, 'cn-hangzhou-k');
    cloud.roa('ModifyCluster', [cluster2.clusterId], {
      api_server_custom_cert_sans: { action: 'append', subject_alternative_names: [apiServer.endpointDomain] },
    });
    cloud.advance(Math.max(DELAYS.endpointCreateMs + DELAYS.connectMs, DELAYS.clusterTaskMs));
    expect(clusterView(cloud, cluster2.clusterId).State).toBe('running');
    const pilotEndpoint = [...cloud.cloud.endpoints.values()].find((endpoint) => endpoint.vpcId === cluster2.vpcId)!;
    cloud.rpc('privatelink', 'DisableVpcEndpointConnection', {
      RegionId: 'cn-hangzhou',
      ServiceId: pilotEndpoint.serviceId,
      EndpointId: pilotEndpoint.endpointId,
    });
    expect(clusterView(cloud, cluster2.clusterId)).toEqual({
      State: 'failed',
      ErrorMessage: expect.stringContaining('sidecars cannot reach Pilot'),
    });
  });

  it("falls back to failed with an x509 message when the endpoint's domain is removed from the SANs", () => {
    const cloud = directCloud(world, DELAYS);
    cloud.rpc('servicemesh', 'AddClusterIntoServiceMesh', {
      ServiceMeshId: mesh.serviceMeshId,
      ClusterId: cluster2.clusterId,
    });
    const apiServer = link(cloud, cluster2.apiServerLoadBalancerId, mesh.vpcId, mesh.securityGroupId, 'cn-hangzhou-k');
    link(cloud, mesh.pilotLoadBalancerId, cluster2.vpcId, cluster2.securityGroupId, 'cn-hangzhou-k');
    cloud.roa('ModifyCluster', [cluster2.clusterId], {
      api_server_custom_cert_sans: { action: 'append', subject_alternative_names: [apiServer.endpointDomain] },
    });
    cloud.advance(Math.max(DELAYS.endpointCreateMs + DELAYS.connectMs, DELAYS.clusterTaskMs));
    expect(clusterView(cloud, cluster2.clusterId).State).toBe('running');
    cloud.cloud.clusters.get(cluster2.clusterId)!.extraSans = [];
    expect(clusterView(cloud, cluster2.clusterId)).toEqual({
      State: 'failed',
      ErrorMessage: `x509: the API server certificate of ${cluster2.clusterId} is not valid for ${apiServer.endpointDomain} (add it to the certificate SANs)`,
    });
  });

  it("falls back to failed when the endpoint's only zone is removed", () => {
    const cloud = directCloud(world, DELAYS);
    cloud.rpc('servicemesh', 'AddClusterIntoServiceMesh', {
      ServiceMeshId: mesh.serviceMeshId,
      ClusterId: cluster2.clusterId,
    });
    const apiServer = link(cloud, cluster2.apiServerLoadBalancerId, mesh.vpcId, mesh.securityGroupId, 'cn-hangzhou-k');
    link(cloud, mesh.pilotLoadBalancerId, cluster2.vpcId, cluster2.securityGroupId, 'cn-hangzhou-k');
    cloud.roa('ModifyCluster', [cluster2.clusterId], {
      api_server_custom_cert_sans: { action: 'append', subject_alternative_names: [apiServer.endpointDomain] },
    });
    cloud.advance(Math.max(DELAYS.endpointCreateMs + DELAYS.connectMs, DELAYS.clusterTaskMs));
    const apiEndpoint = [...cloud.cloud.endpoints.values()].find((endpoint) => endpoint.vpcId === mesh.vpcId)!;
    cloud.rpc('privatelink', 'RemoveZoneFromVpcEndpoint', {
      RegionId: 'cn-hangzhou',
      EndpointId: apiEndpoint.endpointId,
      ZoneId: 'cn-hangzhou-k',
    });
    cloud.advance(1000);
    expect(clusterView(cloud, cluster2.clusterId)).toEqual({
      State: 'failed',
      ErrorMessage: expect.stringContaining('the control plane cannot reach the API server'),
    });
  });
});
