// Calls actions straight on a Cloud, without HTTP or signing, for tests of the rules. Parameters
// are flattened by the SDK's own OpenApiUtil.query, so `{ Tag: [{ Key, Value }] }` arrives as
// `Tag.1.Key`, exactly as a real client sends it.
import { OpenApiUtil } from '@alicloud/openapi-core';
import { Cloud } from '../cloud';
import { resolveDelays, type EmulatorDelays } from '../delays';
import { RpcParams } from '../params';
import { PRODUCTS } from '../products';
import type { Caller, RoaProduct, RpcProduct } from '../products/product';
import { meshViewOfCluster } from '../products/servicemesh/mesh-view';
import type { World } from '../world';

/** A clock that moves only when told to. */
export class ManualClock {
  constructor(public time = Date.UTC(2026, 0, 15, 8, 0, 0)) {}
  now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface DirectCloud {
  cloud: Cloud;
  clock: ManualClock;
  caller: Caller;
  /** Runs an RPC action of a product (by name) and answers its body; throws ApiError. */
  rpc(
    product: 'privatelink' | 'vpc' | 'servicemesh' | 'slb',
    action: string,
    params?: Record<string, unknown>,
  ): Record<string, any>;
  /** Runs an ACK route by action name. */
  roa(action: string, pathParams: string[], body?: unknown): any;
  /** Moves the clock and applies what became due. */
  advance(ms: number): void;
  /** The same cloud, called by another account. */
  as(caller: Caller): DirectCloud;
}

export function directCloud(world: World, delays: Partial<EmulatorDelays> = {}, seed = 7): DirectCloud {
  const clock = new ManualClock();
  const cloud = new Cloud({
    world: structuredClone(world),
    delays: resolveDelays(delays),
    clock: clock.now,
    seed,
    meshView: meshViewOfCluster,
  });
  const account = world.accounts[0]!;
  return calling(cloud, clock, { accountId: account.accountId, accessKeyId: account.accessKeys[0]!.accessKeyId });
}

function calling(cloud: Cloud, clock: ManualClock, caller: Caller): DirectCloud {
  return {
    cloud,
    clock,
    caller,
    rpc(productName, action, params = {}) {
      const product = PRODUCTS.find((candidate) => candidate.name === productName) as RpcProduct;
      const definition = product.actions[action];
      if (!definition) throw new Error(`no action ${action} in ${productName}`);
      cloud.settle();
      return definition.handle({ cloud, caller, params: new RpcParams(Object.entries(OpenApiUtil.query(params))) });
    },
    roa(action, pathParams, body) {
      const product = PRODUCTS.find((candidate) => candidate.name === 'cs') as RoaProduct;
      const route = product.routes.find((candidate) => candidate.action === action);
      if (!route) throw new Error(`no route ${action}`);
      cloud.settle();
      return route.handle({ cloud, caller, pathParams, query: new Map(), body, requestId: 'TEST-REQUEST' });
    },
    advance(ms) {
      clock.advance(ms);
      cloud.settle();
    },
    as(other) {
      return calling(cloud, clock, other);
    },
  };
}
