/**
 * The RPC-style client for the products that have no npm SDK here (PrivateLink, ASM, SLB), built
 * on `@alicloud/openapi-core` the way Alibaba's generated SDKs are: a class extending the core's
 * OpenApi client that calls `callApi` with RPC `Params`. So all products share one signer (V3,
 * ACS3-HMAC-SHA256), one credential chain and one HTTP stack. Also the helpers that write
 * parameters in the flattened wire form and read JSON answers without trusting their shape.
 */
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import type * as $dara from '@darabonba/typescript';
import { CloudError, type CloudProduct, LocalErrorCode } from './errors';

/** Parameters as they go on the wire: flat names (`Zone.1.VSwitchId`) to text. */
export type WireParams = Record<string, string>;

/** A JSON object from an answer, not yet trusted. */
export type WireObject = Record<string, unknown>;

/** Where a product's API lives when no cloud endpoint override is given. */
export interface ProductApi {
  product: CloudProduct;
  /** The product code in host names and endpoint rules (`privatelink`, `servicemesh`, `slb`). */
  productCode: string;
  version: string;
  /** `regional`: `<code>.<region>.aliyuncs.com`; `central`: one host for all regions. */
  endpointRule: 'regional' | 'central';
  /** Regions whose host differs from the rule (copied from the generated SDK's endpoint map). */
  endpointMap?: Record<string, string>;
}

/** One RPC call: the action, its query parameters, and (for actions that declare them so) form-body parameters. */
export interface RpcRequest {
  action: string;
  query?: WireParams;
  body?: WireParams;
}

export class RpcClient extends OpenApi {
  constructor(
    config: $OpenApiUtil.Config,
    private readonly api: ProductApi,
  ) {
    super(config);
    this._endpointRule = api.endpointRule;
    this._endpointMap = api.endpointMap ?? {};
    this.checkConfig(config);
    this._endpoint = config.endpoint ?? endpointFor(api, config.regionId ?? '');
  }

  /** The host (and port) requests go to. */
  get endpoint(): string {
    return this._endpoint;
  }

  /** Sends one request, once (retries belong to the CallRunner), and returns the JSON body. */
  async invoke(request: RpcRequest, runtime: $dara.RuntimeOptions): Promise<WireObject> {
    const openApiRequest = new $OpenApiUtil.OpenApiRequest({
      query: request.query ?? {},
      ...(request.body ? { body: request.body } : {}),
    });
    const params = new $OpenApiUtil.Params({
      action: request.action,
      version: this.api.version,
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const response = await this.callApi(params, openApiRequest, runtime);
    const body: unknown = response.body;
    if (!isObject(body)) {
      throw new CloudError({
        product: this.api.product,
        action: request.action,
        code: LocalErrorCode.invalidResponse,
        message: `expected a JSON object, got ${JSON.stringify(body)?.slice(0, 200)}`,
        retryable: false,
      });
    }
    return body;
  }
}

/** The host of a product's API in a region, by the same rules as the generated SDKs. */
export function endpointFor(api: ProductApi, region: string): string {
  return api.endpointMap?.[region] ?? OpenApiUtil.getEndpointRules(api.productCode, region, api.endpointRule, '', '');
}

// ---- writing parameters ----

type WireValue = string | number | boolean | undefined;

/** Drops undefined values and writes the rest as text (`true`, `50`). */
export function wire(params: Record<string, WireValue>): WireParams {
  const out: WireParams = {};
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) out[name] = String(value);
  }
  return out;
}

/** A list of values, 1-based: `SecurityGroupId.1`, `SecurityGroupId.2`. */
export function numberedValues(name: string, values: readonly string[] | undefined): WireParams {
  const out: WireParams = {};
  (values ?? []).forEach((value, index) => {
    out[`${name}.${index + 1}`] = value;
  });
  return out;
}

/** A list of records, 1-based: `Zone.1.VSwitchId`, `Zone.1.ZoneId`, `Zone.2.VSwitchId`. */
export function numberedRecords(name: string, records: readonly Record<string, WireValue>[] | undefined): WireParams {
  const out: WireParams = {};
  (records ?? []).forEach((record, index) => {
    for (const [field, value] of Object.entries(wire(record))) out[`${name}.${index + 1}.${field}`] = value;
  });
  return out;
}

/** A key/value tag as our API takes it. */
export interface Tag {
  key: string;
  value: string;
}

/** `Tag.N.Key` / `Tag.N.Value`. */
export function tagParams(tags: readonly Tag[] | undefined): WireParams {
  return numberedRecords(
    'Tag',
    (tags ?? []).map((tag) => ({ Key: tag.key, Value: tag.value })),
  );
}

// ---- reading answers ----

export function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A text field; numbers are written as text (ids such as UserId arrive as JSON numbers). */
export function text(object: WireObject, name: string): string | undefined {
  const value = object[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** A number field; numeric text is accepted (TotalCount is text in some PrivateLink answers). */
export function integer(object: WireObject, name: string): number | undefined {
  const value = object[name];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A boolean field; `"true"` / `"false"` text is accepted. */
export function flag(object: WireObject, name: string): boolean | undefined {
  const value = object[name];
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** An array of objects; anything else in it is skipped. */
export function records(object: WireObject, name: string): WireObject[] {
  const value = object[name];
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** An array of text values. */
export function texts(object: WireObject, name: string): string[] {
  const value = object[name];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string');
}

/** A nested object, or an empty one. */
export function child(object: WireObject, name: string): WireObject {
  const value = object[name];
  return isObject(value) ? value : {};
}

/**
 * A list the RPC products wrap in a one-key object (`Zones: {Zone: [...]}`); a bare array is
 * accepted as well.
 */
export function wrappedRecords(object: WireObject, outer: string, inner: string): WireObject[] {
  const value = object[outer];
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? records(value, inner) : [];
}

/** A field the rest of the answer means nothing without (the id of what was created). */
export function requiredText(object: WireObject, name: string, product: CloudProduct, action: string): string {
  const value = text(object, name);
  if (value) return value;
  throw new CloudError({
    product,
    action,
    code: LocalErrorCode.invalidResponse,
    message: `the answer has no ${name} (request id ${text(object, 'RequestId') ?? 'unknown'})`,
    requestId: text(object, 'RequestId'),
    retryable: false,
  });
}
