// The two older signatures the gateway still accepts, verified as strictly as V3 (signature.ts):
//
// RPC, "signature V2" (SignatureVersion 1.0, HMAC-SHA1), parameters in the query or a form body:
//   string to sign = METHOD "&" "%2F" "&" percentEncode(sorted `name=value` pairs joined by "&")
//   signature      = BASE64(HMAC-SHA1(AccessKeySecret + "&", string to sign)), sent as `Signature`
// ROA, `Authorization: acs <AccessKeyId>:<signature>`:
//   string to sign = METHOD \n accept \n content-md5 \n content-type \n date \n
//                    each x-acs-* header `name:value\n`, sorted by name \n
//                    path [ "?" sorted `name=value` pairs of the decoded query joined by "&" ]
//   signature      = BASE64(HMAC-SHA1(AccessKeySecret, string to sign))
// Written from the algorithm as documented, not from a signer: the emulator's tests sign with
// Alibaba's own code (@alicloud/openapi-core doRPCRequest / doROARequest), so the two meet only on
// the wire.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors';
import {
  checkTokenOf,
  type KnownAccessKey,
  type NonceLedger,
  parseQuery,
  percentEncode,
  TIMESTAMP_WINDOW_MS,
  type VerifiedCaller,
  type WireRequest,
} from './signature';

type Lookup = (accessKeyId: string) => KnownAccessKey | undefined;

function incomplete(detail: string): ApiError {
  return new ApiError('IncompleteSignature', `The request signature does not conform to Aliyun standards: ${detail}`);
}

function header(request: WireRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function hmacSha1Base64(key: string, text: string): string {
  return createHmac('sha1', key).update(text, 'utf8').digest('base64');
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function knownKey(lookup: Lookup, accessKeyId: string): KnownAccessKey {
  const key = lookup(accessKeyId);
  if (!key)
    throw new ApiError('InvalidAccessKeyId.NotFound', `Specified access key is not found: ${accessKeyId}.`, 404);
  return key;
}

function checkTime(time: number, shown: string, now: number): void {
  if (Math.abs(now - time) > TIMESTAMP_WINDOW_MS) {
    throw new ApiError(
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired: ${shown} is more than 15 minutes from the server time ${new Date(now).toISOString()}.`,
    );
  }
}

function useNonce(nonces: NonceLedger, key: KnownAccessKey, nonce: string, now: number): VerifiedCaller {
  if (!nonces.use(key.accessKeyId, nonce, now))
    throw new ApiError('SignatureNonceUsed', `Specified signature nonce was used already: ${nonce}.`);
  return { accessKeyId: key.accessKeyId, accountId: key.accountId };
}

// ---- RPC, signature V2 ----

/** Whether the request carries an RPC signature V2 (`Signature` in the query or the form body). */
export function isRpcV2(request: WireRequest, params: ReadonlyArray<[string, string]>): boolean {
  return header(request, 'authorization') === undefined && params.some(([name]) => name === 'Signature');
}

const V2_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The V2 string to sign over every parameter but `Signature`. */
export function rpcV2StringToSign(method: string, params: ReadonlyArray<[string, string]>): string {
  const canonical = params
    .filter(([name]) => name !== 'Signature')
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

/**
 * Verifies an RPC request signed with signature V2; `params` are the query and form parameters,
 * decoded. The nonce is recorded only once the signature is good.
 */
export function verifyRpcV2(
  request: WireRequest,
  params: ReadonlyArray<[string, string]>,
  lookup: Lookup,
  nonces: NonceLedger,
  now: number,
): VerifiedCaller {
  const value = (name: string) => params.find(([candidate]) => candidate === name)?.[1];
  for (const name of ['AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureNonce', 'Timestamp']) {
    if (!value(name)) throw incomplete(`the parameter ${name} is required with signature V2.`);
  }
  if (value('SignatureMethod') !== 'HMAC-SHA1')
    throw incomplete(`SignatureMethod ${value('SignatureMethod')} is not supported; use HMAC-SHA1.`);
  const version = value('SignatureVersion');
  if (version !== undefined && version !== '1.0')
    throw incomplete(`SignatureVersion ${version} is not supported; use 1.0.`);
  const timestamp = value('Timestamp')!;
  const time = V2_TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(time))
    throw new ApiError(
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value is not well formatted: "${timestamp}" (want yyyy-MM-ddTHH:mm:ssZ in UTC).`,
    );
  checkTime(time, timestamp, now);
  const key = knownKey(lookup, value('AccessKeyId')!);
  checkTokenOf(key, value('SecurityToken'), 'security token');
  const stringToSign = rpcV2StringToSign(request.method, params);
  if (!sameSignature(hmacSha1Base64(`${key.accessKeySecret}&`, stringToSign), value('Signature')!)) {
    throw new ApiError(
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    );
  }
  return useNonce(nonces, key, value('SignatureNonce')!, now);
}

// ---- ROA, Authorization: acs AK:signature ----

/** Whether the request is signed `Authorization: acs AK:signature`. */
export function isRoaAcs(request: WireRequest): boolean {
  return /^acs\s/i.test(header(request, 'authorization') ?? '');
}

/** The ROA string to sign. */
export function roaStringToSign(request: WireRequest): string {
  const fixed = ['accept', 'content-md5', 'content-type', 'date'].map((name) => header(request, name) ?? '');
  const acsHeaders = Object.keys(request.headers)
    .filter((name) => name.startsWith('x-acs-'))
    .sort()
    .map((name) => `${name}:${(header(request, name) ?? '').trim()}\n`)
    .join('');
  let path: string;
  try {
    path = decodeURIComponent(request.rawPath || '/');
  } catch {
    throw incomplete('the path is not valid percent-encoding.');
  }
  const query = parseQuery(request.rawQuery)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return `${request.method.toUpperCase()}\n${fixed.join('\n')}\n${acsHeaders}${query ? `${path}?${query}` : path}`;
}

/** Verifies an ROA request signed with `Authorization: acs AK:signature`. */
export function verifyRoaAcs(request: WireRequest, lookup: Lookup, nonces: NonceLedger, now: number): VerifiedCaller {
  const match = /^acs\s+([^:\s]+):(\S+)$/i.exec(header(request, 'authorization') ?? '');
  if (!match) throw incomplete('Authorization must be "acs <AccessKeyId>:<signature>".');
  const [, accessKeyId, signature] = match as unknown as [string, string, string];
  const method = header(request, 'x-acs-signature-method');
  if (method !== undefined && method !== 'HMAC-SHA1')
    throw incomplete(`x-acs-signature-method ${method} is not supported; use HMAC-SHA1.`);
  const date = header(request, 'date');
  if (!date) throw incomplete('the Date header is required with the acs signature.');
  const time = Date.parse(date);
  if (Number.isNaN(time) || !/GMT$/.test(date))
    throw new ApiError(
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value is not well formatted: "${date}" (want an HTTP date in GMT).`,
    );
  checkTime(time, date, now);
  // Optional: the official CLI signs ROA calls without one and the gateway accepts them; the Date
  // window is then the only guard against a replay.
  const nonce = header(request, 'x-acs-signature-nonce');
  const key = knownKey(lookup, accessKeyId);
  checkTokenOf(key, header(request, 'x-acs-security-token'), 'security token');
  const stringToSign = roaStringToSign(request);
  if (!sameSignature(hmacSha1Base64(key.accessKeySecret, stringToSign), signature)) {
    throw new ApiError(
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${JSON.stringify(stringToSign)}`,
    );
  }
  if (nonce === undefined || nonce === '') return { accessKeyId: key.accessKeyId, accountId: key.accountId };
  return useNonce(nonces, key, nonce, now);
}
