// What a product is to the dispatcher: RPC products name the action in `x-acs-action` and take
// flattened parameters; ROA products (ACK) route by method and path and take a JSON body.
import type { Cloud } from '../cloud';
import { ApiError } from '../errors';
import type { RpcParams } from '../params';

/** Product names as the request log reports them. */
// They are the products' RAM codes too (`privatelink:CreateVpcEndpoint`).
export type ProductName = 'privatelink' | 'vpc' | 'servicemesh' | 'slb' | 'nlb' | 'cs' | 'sts';

/** The account and key a verified request speaks for. */
export interface Caller {
  accountId: string;
  accessKeyId: string;
}

export interface RpcContext {
  cloud: Cloud;
  params: RpcParams;
  caller: Caller;
}

export interface RpcAction {
  /** Changes state (or would, without DryRun); read-only actions are Describe/List/Get/Check. */
  mutating: boolean;
  /** Answered for any valid credential, whatever its RAM policy (STS GetCallerIdentity). */
  withoutRam?: boolean;
  /** Answers the response body without RequestId; throws ApiError. */
  handle(context: RpcContext): Record<string, unknown>;
}

export interface RpcProduct {
  style: 'RPC';
  name: ProductName;
  /** The product code used in the Recommend link of error bodies. */
  code: string;
  version: string;
  hostId(regionId: string): string;
  /** Whether mutating actions honour ClientToken idempotency. */
  clientTokens: boolean;
  actions: Record<string, RpcAction>;
}

export interface RoaContext {
  cloud: Cloud;
  caller: Caller;
  /** Path segments captured by the route pattern, decoded. */
  pathParams: string[];
  query: Map<string, string>;
  /** The parsed JSON body, or undefined when there is none. */
  body: unknown;
  /** For bodies that carry it (ModifyCluster's request_id). */
  requestId: string;
}

export interface RoaRoute {
  action: string;
  method: string;
  /** Matches the decoded path; capture groups become pathParams. */
  path: RegExp;
  mutating: boolean;
  handle(context: RoaContext): unknown;
}

export interface RoaProduct {
  style: 'ROA';
  name: ProductName;
  version: string;
  routes: RoaRoute[];
}

export type Product = RpcProduct | RoaProduct;

/** Checks `RegionId` (required) against the world's only region. */
export function requireRegion(context: RpcContext): string {
  const regionId = context.params.requiredString('RegionId');
  if (regionId !== context.cloud.world.regionId) {
    throw new ApiError(
      'InvalidRegionId.NotFound',
      `The region ${regionId} is not served here; this world is ${context.cloud.world.regionId}.`,
    );
  }
  return regionId;
}

/** Checks an optional `RegionId`. */
export function optionalRegion(context: RpcContext): void {
  if (context.params.has('RegionId')) requireRegion(context);
}
