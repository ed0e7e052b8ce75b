/* Generated from schemas/asmpvlconfig.schema.json by `npm run gen`. Do not edit. */

/**
 * vSwitches of the cluster's VPC where the endpoint to Pilot is placed. Their zones must overlap the zones of asmVpcEndpoint.vSwitches.
 *
 * @minItems 1
 * @maxItems 16
 *
 * Items: A vSwitch and the zone it is in.
 */
export type VSwitchList = {
  /**
   * ID of the vSwitch, e.g. vsw-bp1jsgsanpvxpj32yai50.
   */
  vSwitchId: string;
  /**
   * Zone of the vSwitch, e.g. cn-hangzhou-j. Required in the object; only on the command line of kubectl asmpvl connect may you give a bare vSwitch ID, and the plugin writes its zone here for you.
   */
  zoneId: string;
}[];
/**
 * vSwitches of the ASM VPC where the endpoints to each cluster's API server are placed. Their zones must overlap the zones of every cluster's vSwitches.
 *
 * @minItems 1
 * @maxItems 16
 *
 * Items: A vSwitch and the zone it is in.
 */
export type VSwitchList1 = {
  /**
   * ID of the vSwitch, e.g. vsw-bp1jsgsanpvxpj32yai50.
   */
  vSwitchId: string;
  /**
   * Zone of the vSwitch, e.g. cn-hangzhou-j. Required in the object; only on the command line of kubectl asmpvl connect may you give a bare vSwitch ID, and the plugin writes its zone here for you.
   */
  zoneId: string;
}[];

/**
 * ASMPvlConfig declares which ACK clusters connect to the Alibaba Cloud Service Mesh control plane over PrivateLink, and through which vSwitches and zones. It is cluster-scoped and only the object named default is read.
 */
export interface ASMPvlConfig {
  /**
   * APIVersion of this object: istio.alibabacloud.com/v1beta1.
   */
  apiVersion: "istio.alibabacloud.com/v1beta1";
  /**
   * Kind of this object: ASMPvlConfig.
   */
  kind: "ASMPvlConfig";
  /**
   * Standard object metadata. The name must be default.
   */
  metadata: {
    /**
     * Name of the object. Only the ASMPvlConfig named default is read.
     */
    name?: string;
  };
  /**
   * Wanted PrivateLink connectivity between the ASM control plane and each ACK cluster.
   */
  spec: {
    /**
     * One entry per data-plane ACK cluster, at most 100. Each entry names the cluster and the vSwitches of its VPC where the endpoint that reaches the mesh's Pilot is placed. (At the longest values the schema allows, 100 clusters and their status keep the object well under the API server's 1.5 MiB limit, and their spec under the 256 KiB kubectl apply records in an annotation.)
     *
     * @maxItems 100
     *
     * Items: An ACK cluster that joins the mesh over PrivateLink.
     */
    ackVpcEndpoint?: {
      /**
       * ID of the ACK cluster: c followed by 32 lower-case hexadecimal characters, as shown in the ACK console.
       */
      clusterId: string;
      vSwitches: VSwitchList;
    }[];
    /**
     * Where, in the ASM instance's VPC, the endpoints that reach each cluster's API server are placed.
     */
    asmVpcEndpoint: {
      vSwitches: VSwitchList1;
    };
    /**
     * Whether each cluster's endpoint domain is appended to that cluster's API server certificate SANs (Enabled, the default when left out), or the SANs are left to you (Disabled). SANs already present are never removed.
     */
    sanSync?: "Enabled" | "Disabled";
    /**
     * What deleting this object does to the cloud resources it made. Delete (the default): the controller removes every endpoint and endpoint service tagged for this mesh, then lets the object go; SANs are never removed. Orphan: the object goes and the cloud resources stay. Read by asmpvl-controller through its finalizer.
     */
    deletionPolicy?: "Delete" | "Orphan";
  };
  /**
   * Observed state of the PrivateLink links, written by kubectl asmpvl through the status subresource.
   */
  status?: {
    /**
     * The API-server links: for each ACK cluster, the endpoint service in the cluster's VPC that fronts its API server load balancer, and the endpoint in the ASM VPC that reaches it.
     *
     * @maxItems 100
     *
     * Items: The API-server link of one ACK cluster.
     */
    clusters?: {
      /**
       * ID of the ACK cluster this link reaches.
       */
      clusterId: string;
      pvlEndpoint?: EndpointStatus;
      pvlEndpointService?: EndpointServiceStatus;
    }[];
    /**
     * The Pilot links: one endpoint service in the ASM VPC fronting Pilot's load balancer, shared by every cluster, and one endpoint per cluster in that cluster's VPC.
     */
    pilot?: {
      /**
       * For each ACK cluster, the endpoint in its VPC that reaches Pilot.
       *
       * @maxItems 100
       *
       * Items: The Pilot link of one ACK cluster.
       */
      clusters?: {
        /**
         * ID of the ACK cluster whose VPC holds this endpoint.
         */
        clusterId: string;
        pvlEndpoint?: EndpointStatus1;
      }[];
      pvlEndpointService?: EndpointServiceStatus1;
    };
    /**
     * The service mesh's own view of each ACK cluster (ASM DescribeClustersInServiceMesh), as last read by kubectl asmpvl; not part of the vendor's fields.
     */
    mesh?: {
      /**
       * ID of the service mesh that was read.
       */
      serviceMeshId?: string;
      /**
       * One entry per ACK cluster of the spec.
       *
       * @maxItems 100
       *
       * Items: How the mesh sees one ACK cluster.
       */
      clusters?: {
        /**
         * ID of the ACK cluster.
         */
        clusterId: string;
        /**
         * Whether the mesh lists the cluster among its data-plane clusters.
         */
        inMesh: boolean;
        /**
         * The mesh's State of the cluster, verbatim: running, starting, failed, ...
         */
        state?: string;
        /**
         * The mesh's ErrorMessage about the cluster, when it gave one.
         */
        errorMessage?: string;
        /**
         * What the cluster lacks for the mesh to run it, as observed by kubectl asmpvl: apiServerLink (a), pilotLink (b), san (c).
         *
         * @maxItems 3
         */
        missing?: ("apiServerLink" | "pilotLink" | "san")[];
      }[];
    };
    /**
     * Overall state: Available when every link is Active and Connected; Provisioning while links are being created; Degraded or Failed when a link is missing or broken (see conditions for what and why).
     */
    status?: string;
    /**
     * The metadata.generation of the spec this status was computed from.
     */
    observedGeneration?: number;
    /**
     * The value of the asmpvl.io/reconcile-requested-at annotation that asmpvl-controller last answered with a finished reconcile. kubectl asmpvl sets the annotation to ask a running controller for a reconcile, and waits until this field matches it.
     */
    lastHandledReconcileAt?: string;
    /**
     * Conditions in the standard Kubernetes form: Ready, APIServerLinks, PilotLinks, SANSynced, MeshReady, and the kstatus conditions GitOps tools read, Reconciling (True while the object is on its way to Available) and Stalled (True when a failure stays until someone changes something, such as a cluster the cloud does not have or a denied permission). Reconciling and Stalled are present only while True.
     *
     * @maxItems 32
     *
     * Items: One aspect of the state, with why it is so.
     */
    conditions?: {
      /**
       * Type of the condition, in CamelCase.
       */
      type: string;
      /**
       * True, False or Unknown.
       */
      status: "True" | "False" | "Unknown";
      /**
       * A CamelCase word saying why the condition is in this state.
       */
      reason?: string;
      /**
       * What is wrong and what to do, for a person.
       */
      message?: string;
      /**
       * When the condition last changed status.
       */
      lastTransitionTime?: string;
      /**
       * The metadata.generation this condition was computed from.
       */
      observedGeneration?: number;
    }[];
  };
}
/**
 * The endpoint in the ASM VPC that reaches the cluster's API server.
 */
export interface EndpointStatus {
  /**
   * State of the endpoint's connection to its service: Pending, Connecting, Connected, Disconnecting, Disconnected, Deleting or ServiceDeleted.
   */
  connectionStatus?: string;
  /**
   * Private domain name of the endpoint, e.g. ep-xxx.epsrv-xxx.cn-hangzhou.privatelink.aliyuncs.com.
   */
  domainName?: string;
  /**
   * ID of the endpoint (ep-...).
   */
  id?: string;
  /**
   * State of the endpoint: Creating, Active, Pending or Deleting.
   */
  status?: string;
}
/**
 * The endpoint service in the cluster's VPC that fronts its API server load balancer.
 */
export interface EndpointServiceStatus {
  /**
   * ID of the endpoint service (epsrv-...).
   */
  id?: string;
  /**
   * Name of the endpoint service, e.g. com.aliyuncs.privatelink.cn-hangzhou.epsrv-xxx.
   */
  name?: string;
  /**
   * State of the endpoint service: Creating, Pending, Active or Deleting.
   */
  status?: string;
}
/**
 * The endpoint in the cluster's VPC that reaches Pilot.
 */
export interface EndpointStatus1 {
  /**
   * State of the endpoint's connection to its service: Pending, Connecting, Connected, Disconnecting, Disconnected, Deleting or ServiceDeleted.
   */
  connectionStatus?: string;
  /**
   * Private domain name of the endpoint, e.g. ep-xxx.epsrv-xxx.cn-hangzhou.privatelink.aliyuncs.com.
   */
  domainName?: string;
  /**
   * ID of the endpoint (ep-...).
   */
  id?: string;
  /**
   * State of the endpoint: Creating, Active, Pending or Deleting.
   */
  status?: string;
}
/**
 * The endpoint service in the ASM VPC that fronts Pilot's load balancer.
 */
export interface EndpointServiceStatus1 {
  /**
   * ID of the endpoint service (epsrv-...).
   */
  id?: string;
  /**
   * Name of the endpoint service, e.g. com.aliyuncs.privatelink.cn-hangzhou.epsrv-xxx.
   */
  name?: string;
  /**
   * State of the endpoint service: Creating, Pending, Active or Deleting.
   */
  status?: string;
}
