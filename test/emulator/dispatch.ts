// One request through the emulator, independent of HTTP: find the product and action, inject
// faults, verify the signature, apply due transitions, run the action (or replay it for a
// repeated ClientToken), and say how to answer.
import type { Cloud } from './cloud';
import { ApiError, roaErrorBody, rpcErrorBody } from './errors';
import { type FaultInjector, throttlingError } from './faults';
import { callFingerprint, type IdempotencyLedger } from './idempotency';
import { RpcParams } from './params';
import { PRODUCTS } from './products';
import type { Caller, Product, RoaProduct, RoaRoute, RpcAction, RpcProduct } from './products/product';
import { type RateLimiter } from './rate-limits';
import type { InjectedFault, RequestLog, RequestLogEntry } from './request-log';
import { evaluate, permissionDenied, roaResource, rpcResource } from './ram';
import { type KnownAccessKey, type NonceLedger, parseQuery, verifyRequest, type WireRequest } from './signature';
import { isRoaAcs, isRpcV2, verifyRoaAcs, verifyRpcV2 } from './signature-legacy';

/** Everything a request can touch. */
export interface EmulatorRuntime {
  cloud: Cloud;
  nonces: NonceLedger;
  idempotency: IdempotencyLedger;
  faults: FaultInjector;
  rateLimits: RateLimiter;
  log: RequestLog;
  /** Waits; injectable so tests of latency need not sleep. */
  sleep(ms: number): Promise<void>;
}

export type DispatchOutcome =
  | { kind: 'answer'; status: number; body: unknown; requestId: string }
  /** Never answer. */
  | { kind: 'hang' }
  /** The action was performed; destroy the connection without answering. */
  | { kind: 'drop' };

function headerOf(request: WireRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

type Resolved =
  | { style: 'RPC'; product: RpcProduct; action: string; definition: RpcAction }
  | { style: 'ROA'; product: RoaProduct; action: string; route: RoaRoute; pathParams: string[] };

function findRoute(product: RoaProduct, request: WireRequest): { route: RoaRoute; pathParams: string[] } | undefined {
  let path: string;
  try {
    path = decodeURIComponent(request.rawPath);
  } catch {
    return undefined;
  }
  for (const route of product.routes) {
    if (route.method !== request.method.toUpperCase()) continue;
    const match = route.path.exec(path);
    if (match) return { route, pathParams: match.slice(1) };
  }
  return undefined;
}

/** A common parameter of an RPC call: the header the V3 signer sends, else the query or form (V2 clients). */
function commonParam(request: WireRequest, header: string, param: string): string | undefined {
  const fromHeader = headerOf(request, header);
  if (fromHeader !== undefined) return fromHeader;
  try {
    return rawRpcPairs(request).find(([name]) => name === param)?.[1];
  } catch {
    return undefined;
  }
}

/** Which product and action a request is for; throws the gateway's error when neither fits. */
function resolve(request: WireRequest): Resolved {
  const version = commonParam(request, 'x-acs-version', 'Version');
  const product: Product | undefined = PRODUCTS.find((candidate) => candidate.version === version);
  if (!product)
    throw new ApiError(
      'InvalidVersion',
      `Specified parameter Version is not valid: ${version ?? '(no x-acs-version header or Version parameter)'}.`,
      400,
    );
  const action = commonParam(request, 'x-acs-action', 'Action') ?? '';
  if (product.style === 'RPC') {
    const definition = Object.hasOwn(product.actions, action) ? product.actions[action] : undefined;
    if (!definition)
      throw new ApiError(
        'InvalidAction.NotFound',
        `Specified api is not found, please check your url and method: ${action || '(no x-acs-action header)'} in ${product.name} ${product.version}.`,
        404,
      );
    return { style: 'RPC', product, action, definition };
  }
  const found = findRoute(product, request);
  if (!found)
    throw new ApiError(
      'InvalidAction.NotFound',
      `Specified api is not found, please check your url and method: ${request.method} ${request.rawPath}.`,
      404,
    );
  return { style: 'ROA', product, action: found.route.action, ...found };
}

/** Query parameters, plus the form body for RPC actions that send their parameters as a body. */
function rawRpcPairs(request: WireRequest): Array<[string, string]> {
  const pairs = parseQuery(request.rawQuery);
  const contentType = headerOf(request, 'content-type') ?? '';
  if (request.body.length > 0 && contentType.startsWith('application/x-www-form-urlencoded')) {
    pairs.push(...parseQuery(request.body.toString('utf8')));
  }
  return pairs;
}

// The common parameters of the V2 signature and of routing by query: not the action's own, so
// not seen by handlers or idempotency fingerprints (a retry signs with a fresh Timestamp and nonce).
const COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
  'BearerToken',
]);

function rpcParams(pairs: Array<[string, string]>): RpcParams {
  return new RpcParams(pairs.filter(([name]) => !COMMON_PARAMS.has(name)));
}

/** Verifies whichever signature the request carries: V3, RPC V2 or ROA `acs`. */
function authenticate(runtime: EmulatorRuntime, request: WireRequest, params: ParsedParams | undefined, now: number) {
  const lookup = (id: string) => runtime.cloud.accessKey(id);
  if (isRoaAcs(request)) return verifyRoaAcs(request, lookup, runtime.nonces, now);
  if (params?.pairs && isRpcV2(request, params.pairs))
    return verifyRpcV2(request, params.pairs, lookup, runtime.nonces, now);
  return verifyRequest(request, lookup, runtime.nonces, now);
}

/** RAM's verdict on the call; throws the gateway's denial. */
function authorize(
  runtime: EmulatorRuntime,
  request: WireRequest,
  resolved: Resolved,
  params: ParsedParams | undefined,
  key: KnownAccessKey | undefined,
): void {
  if (!key?.policy) return;
  if (resolved.style === 'RPC' && resolved.definition.withoutRam) return;
  const regionId = runtime.cloud.world.regionId;
  const code = resolved.product.name;
  const resource =
    resolved.style === 'RPC'
      ? rpcResource(code, regionId, key.accountId, (name) => params?.value?.raw(name))
      : roaResource(regionId, key.accountId, resolved.pathParams);
  const ramRequest = { action: `${code}:${resolved.action}`, resource };
  const decision = evaluate(key.policy, ramRequest);
  if (decision !== 'Allow') throw permissionDenied(resolved.style, ramRequest, decision, key);
}

function parseJsonBody(request: WireRequest): unknown {
  if (request.body.length === 0) return undefined;
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new ApiError('InvalidParameter', 'The request body is not valid JSON.', 400);
  }
}

function runRpc(
  runtime: EmulatorRuntime,
  resolved: Extract<Resolved, { style: 'RPC' }>,
  params: RpcParams,
  caller: Caller,
  entry: RequestLogEntry,
): Record<string, unknown> {
  const { product, action, definition } = resolved;
  const clientToken =
    product.clientTokens && definition.mutating ? params.optionalString('ClientToken', { maxLength: 64 }) : undefined;
  if (clientToken === undefined) return definition.handle({ cloud: runtime.cloud, params, caller });
  const fingerprint = callFingerprint(action, params.entries());
  const replayed = runtime.idempotency.replay(caller.accountId, action, clientToken, fingerprint);
  if (replayed) {
    entry.replayed = true;
    return replayed;
  }
  const body = definition.handle({ cloud: runtime.cloud, params, caller });
  runtime.idempotency.remember(caller.accountId, action, clientToken, fingerprint, body);
  return body;
}

function errorAnswer(
  error: ApiError,
  resolvedStyle: 'RPC' | 'ROA',
  product: Product | undefined,
  requestId: string,
  regionId: string,
): DispatchOutcome {
  if (resolvedStyle === 'ROA')
    return { kind: 'answer', status: error.status, body: roaErrorBody(error, requestId), requestId };
  const hostId = product?.style === 'RPC' ? product.hostId(regionId) : `${product?.name ?? 'openapi'}.aliyuncs.com`;
  return {
    kind: 'answer',
    status: error.status,
    body: rpcErrorBody(error, requestId, hostId, product?.style === 'RPC' ? product.code : 'Unknown'),
    requestId,
  };
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError('InternalError', `The emulator failed: ${(error as Error)?.stack ?? String(error)}`, 500);
}

/** Completes a log entry with how the request ended. */
function finish(entry: RequestLogEntry, started: number, outcome: DispatchOutcome): DispatchOutcome {
  entry.durationMs = Date.now() - started;
  if (outcome.kind === 'answer') {
    entry.status = outcome.status;
    const body = outcome.body as Record<string, unknown> | undefined;
    const code = body?.Code ?? body?.code;
    if (outcome.status >= 400) entry.code = typeof code === 'string' ? code : '';
  }
  return outcome;
}

function addFault(entry: RequestLogEntry, fault: InjectedFault): void {
  entry.faults = [...(entry.faults ?? []), fault];
}

/** Faults, signature, rate limit, then the action itself; throws ApiError for an error answer. */
async function perform(
  runtime: EmulatorRuntime,
  request: WireRequest,
  resolved: Resolved,
  params: ParsedParams | undefined,
  entry: RequestLogEntry,
  requestId: string,
): Promise<DispatchOutcome> {
  const latency = runtime.faults.latencyFor(resolved.action);
  if (latency > 0) {
    addFault(entry, 'latency');
    await runtime.sleep(latency);
  }
  const decision = runtime.faults.decide(resolved.action);
  if (decision.kind === 'hang') {
    addFault(entry, 'hang');
    return { kind: 'hang' };
  }
  const now = runtime.cloud.settle();
  const caller = authenticate(runtime, request, params, now);
  entry.accessKeyId = caller.accessKeyId;
  const expiresAt = runtime.cloud.accessKey(caller.accessKeyId)?.expiresAt;
  if (expiresAt !== undefined && expiresAt <= now)
    throw new ApiError('InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.', 400);
  // RAM judges a call before the product sees it, so a denied DryRun is a denial, not DryRunOperation.
  authorize(runtime, request, resolved, params, runtime.cloud.accessKey(caller.accessKeyId));
  if (decision.kind === 'error') {
    addFault(entry, decision.fault);
    throw decision.error;
  }
  if (!runtime.rateLimits.admit(resolved.action, now)) {
    addFault(entry, 'rate-limit');
    throw throttlingError();
  }
  if (params?.error) throw params.error;

  const body =
    resolved.style === 'RPC'
      ? { RequestId: requestId, ...runRpc(runtime, resolved, params!.value!, caller, entry) }
      : resolved.route.handle({
          cloud: runtime.cloud,
          caller,
          pathParams: resolved.pathParams,
          query: new Map(parseQuery(request.rawQuery)),
          body: parseJsonBody(request),
          requestId,
        });
  if (runtime.faults.takeDropResponse(resolved.action)) {
    addFault(entry, 'drop-response');
    return { kind: 'drop' };
  }
  return { kind: 'answer', status: 200, body, requestId };
}

/** Handles one request end to end and records it in the request log. */
export async function dispatch(runtime: EmulatorRuntime, request: WireRequest): Promise<DispatchOutcome> {
  const started = Date.now();
  const requestId = runtime.cloud.ids.requestId();
  const regionId = runtime.cloud.world.regionId;
  const logFields = { time: new Date().toISOString(), method: request.method, path: request.rawPath, requestId };
  let resolved: Resolved;
  try {
    resolved = resolve(request);
  } catch (error) {
    const entry = runtime.log.open({
      ...logFields,
      product: 'unknown',
      action: commonParam(request, 'x-acs-action', 'Action') ?? '',
      mutating: false,
      dryRun: false,
    });
    const product = PRODUCTS.find(
      (candidate) => candidate.version === commonParam(request, 'x-acs-version', 'Version'),
    );
    return finish(
      entry,
      started,
      errorAnswer(toApiError(error), product?.style ?? 'RPC', product, requestId, regionId),
    );
  }

  const params = resolved.style === 'RPC' ? safeRpcParams(request) : undefined;
  const entry = runtime.log.open({
    ...logFields,
    product: resolved.product.name,
    action: resolved.action,
    mutating: resolved.style === 'RPC' ? resolved.definition.mutating : resolved.route.mutating,
    dryRun: params?.value?.raw('DryRun') === 'true',
    clientToken: params?.value?.raw('ClientToken'),
  });
  try {
    return finish(entry, started, await perform(runtime, request, resolved, params, entry, requestId));
  } catch (error) {
    return finish(
      entry,
      started,
      errorAnswer(toApiError(error), resolved.style, resolved.product, requestId, regionId),
    );
  }
}

type ParsedParams = { value?: RpcParams; pairs?: Array<[string, string]>; error?: ApiError };

/** Parameter parsing can fail (bad percent-encoding); defer the error until after the signature check. */
function safeRpcParams(request: WireRequest): ParsedParams {
  try {
    const pairs = rawRpcPairs(request);
    return { value: rpcParams(pairs), pairs };
  } catch (error) {
    return { error: error instanceof ApiError ? error : new ApiError('InvalidParameter', String(error)) };
  }
}
