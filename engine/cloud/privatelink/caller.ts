/**
 * How every PrivateLink client calls the API: one RPC client, the region, the retry runner, and a
 * ClientToken made once per write.
 */
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import { type CloudContext, runtimeOptions } from '../context';
import { type ProductApi, RpcClient, type RpcRequest, text, type WireObject, type WireParams } from '../rpc';

export const privateLinkApi: ProductApi = {
  product: 'PrivateLink',
  productCode: 'privatelink',
  version: '2020-04-15',
  endpointRule: 'regional',
};

/** How a call is described to the runner. */
interface CallSpec {
  action: string;
  query?: WireParams;
  mutating: boolean;
  resourceId?: string;
}

/** The calls of one region, shared by the clients of each resource. */
export class PrivateLinkCaller {
  private readonly rpc: RpcClient;

  constructor(
    private readonly context: CloudContext,
    config: $OpenApiUtil.Config,
  ) {
    this.rpc = new RpcClient(config, privateLinkApi);
  }

  read(action: string, query: WireParams, resourceId?: string): Promise<WireObject> {
    return this.call({ action, query, mutating: false, resourceId }, true);
  }

  /**
   * A write with a ClientToken made once here, outside the retry loop, so every attempt carries
   * the same one and a retry after a lost answer cannot do the work twice.
   */
  write(
    action: string,
    params: WireParams,
    options: { resourceId?: string; clientToken?: string },
  ): Promise<WireObject> {
    const query = { ...params, ClientToken: options.clientToken ?? this.context.newClientToken() };
    return this.call({ action, mutating: true, resourceId: options.resourceId, query }, true);
  }

  /** CheckProductOpen (and DescribeRegions) take no RegionId. */
  readWithoutRegion(action: string): Promise<WireObject> {
    return this.call({ action, mutating: false }, false);
  }

  private call(spec: CallSpec, inRegion: boolean): Promise<WireObject> {
    const region: WireParams = inRegion ? { RegionId: this.context.region } : {};
    const request: RpcRequest = { action: spec.action, query: { ...region, ...spec.query } };
    const runtime = runtimeOptions(this.context.timeouts);
    const descriptor = {
      product: 'PrivateLink' as const,
      action: spec.action,
      mutating: spec.mutating,
      // Every PrivateLink write carries a ClientToken.
      idempotent: true,
      resourceId: spec.resourceId,
    };
    return this.context.runner.run(
      descriptor,
      () => this.rpc.invoke(request, runtime),
      (answer) => text(answer, 'RequestId'),
    );
  }
}
