// ACS3-HMAC-SHA256 (signature V3) verification, the way the cloud's gateway checks what
// @alicloud/openapi-core signs (OpenApiUtil.getAuthorization):
//   canonical request = METHOD \n CANONICAL_URI \n CANONICAL_QUERY \n CANONICAL_HEADERS \n
//                       SIGNED_HEADERS \n HEX(SHA256(body))
//   string to sign    = "ACS3-HMAC-SHA256" \n HEX(SHA256(canonical request))
//   signature         = HEX(HMAC-SHA256(AccessKeySecret, string to sign))
// The older RPC signature V2 and ROA `acs AK:signature` are verified in signature-legacy.ts;
// `authenticate` picks the one a request carries.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors';
import type { RamPolicy } from './ram';

export const SIGNATURE_ALGORITHM = 'ACS3-HMAC-SHA256';

/** The cloud refuses requests whose x-acs-date is further than this from its clock. */
export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

/** A request as it arrived on the wire, before any decoding. */
export interface WireRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded), without the query. */
  rawPath: string;
  /** The query string exactly as sent, without the leading `?`. */
  rawQuery: string;
  /** Header names in lower case, as node delivers them. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What the emulator knows about an AccessKey. */
export interface KnownAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  accountId: string;
  /** The key's RAM policy; absent: allowed everything. */
  policy?: RamPolicy;
  /** For credentials STS issued: when they stop working (ms since the epoch). */
  expiresAt?: number;
  /** For credentials STS issued: the assumed role's ARN and session, as GetCallerIdentity reports them. */
  assumedRoleArn?: string;
}

/** The caller a verified request speaks for. */
export interface VerifiedCaller {
  accessKeyId: string;
  accountId: string;
}

/** RFC 3986 percent-encoding as the signer uses it: space → %20, `*` → %2A, `~` kept. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes a query component the way the SDK's querystring encoding is meant to be read. */
function decodeQueryComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new ApiError('IncompleteSignature', `The query component "${value}" is not valid percent-encoding.`);
  }
}

/** Parses a raw query string into decoded [key, value] pairs, in wire order. */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([decodeQueryComponent(key), decodeQueryComponent(value)]);
  }
  return pairs;
}

/** Query parameters sorted by encoded name (then value), each `name=value` percent-encoded, joined by `&`. */
export function canonicalQuery(rawQuery: string): string {
  return parseQuery(rawQuery)
    .map(([key, value]) => [percentEncode(key), percentEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** The path as signed: the SDK signs the encoded path with `+`→%20, `*`→%2A and %7E→`~`. */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/gi, '~');
}

function headerValue(headers: WireRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value)
    ? [...value]
        .map((v) => v.trim())
        .sort()
        .join(',')
    : value;
}

/** `name:value\n` for each signed header, names lower-case and sorted, values trimmed. */
export function canonicalHeaders(headers: WireRequest['headers'], signedHeaders: string[]): string {
  return [...signedHeaders]
    .sort()
    .map((name) => `${name}:${(headerValue(headers, name) ?? '').trim()}\n`)
    .join('');
}

/** The canonical request the signature covers. */
export function canonicalRequest(request: WireRequest, signedHeaders: string[], hashedPayload: string): string {
  return [
    request.method.toUpperCase(),
    canonicalUri(request.rawPath),
    canonicalQuery(request.rawQuery),
    canonicalHeaders(request.headers, signedHeaders),
    [...signedHeaders].sort().join(';'),
    hashedPayload,
  ].join('\n');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function stringToSign(canonical: string): string {
  return `${SIGNATURE_ALGORITHM}\n${sha256Hex(canonical)}`;
}

export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

function incomplete(detail: string): ApiError {
  return new ApiError('IncompleteSignature', `The request signature does not conform to Aliyun standards: ${detail}`);
}

/** Splits `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`. */
export function parseAuthorization(authorization: string | undefined): ParsedAuthorization {
  if (!authorization) throw incomplete('the Authorization header is missing (or Signature, with signature V2).');
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== SIGNATURE_ALGORITHM)
    throw incomplete(`the algorithm "${algorithm}" is not supported; use ${SIGNATURE_ALGORITHM}.`);
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature)
    throw incomplete('Credential, SignedHeaders and Signature are all required in Authorization.');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw incomplete('Signature must be 64 lower-case hex digits.');
  return { accessKeyId, signedHeaders: signedHeaders.split(';').map((name) => name.trim().toLowerCase()), signature };
}

/** Remembers nonces for as long as a timestamp stays acceptable, so a replay is refused. */
export class NonceLedger {
  private readonly seen = new Map<string, number>();

  /** Records the nonce; false when it was already used inside the window. */
  use(accessKeyId: string, nonce: string, now: number): boolean {
    this.forgetExpired(now);
    const key = `${accessKeyId}\n${nonce}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, now + 2 * TIMESTAMP_WINDOW_MS);
    return true;
  }

  private forgetExpired(now: number): void {
    // Insertion order is expiry order, so stop at the first live entry.
    for (const [key, expiry] of this.seen) {
      if (expiry > now) return;
      this.seen.delete(key);
    }
  }
}

const TIMESTAMP_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Headers every V3 request signs (openapi-core always sends and signs them). */
const REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];

function checkTimestamp(date: string | undefined, now: number): void {
  if (!date) throw incomplete('the x-acs-date header is missing.');
  const time = TIMESTAMP_FORMAT.test(date) ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ApiError(
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value is not well formatted: "${date}" (want yyyy-MM-ddTHH:mm:ssZ in UTC).`,
    );
  }
  if (Math.abs(now - time) > TIMESTAMP_WINDOW_MS) {
    throw new ApiError(
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired: ${date} is more than 15 minutes from the server time ${new Date(now).toISOString()}.`,
    );
  }
}

function checkSecurityToken(request: WireRequest, key: KnownAccessKey): void {
  checkTokenOf(key, headerValue(request.headers, 'x-acs-security-token'), 'x-acs-security-token');
  const declaredKey = headerValue(request.headers, 'x-acs-accesskey-id');
  if (declaredKey !== undefined && declaredKey !== key.accessKeyId) {
    throw new ApiError(
      'InvalidSecurityToken.MismatchWithAccessKey',
      'x-acs-accesskey-id does not name the AccessKey in Authorization.',
    );
  }
}

/**
 * The STS token a request carried (as `sentAs`: a header, or the V2 SecurityToken parameter) against
 * its AccessKey: none for a plain key, exactly the key's own for an STS credential.
 */
export function checkTokenOf(key: KnownAccessKey, token: string | undefined, sentAs: string): void {
  if (key.securityToken === undefined) {
    if (token !== undefined)
      throw new ApiError(
        'InvalidSecurityToken.MismatchWithAccessKey',
        'Specified security token mismatch with access key: this AccessKey is not an STS credential.',
      );
    return;
  }
  if (token === undefined)
    throw new ApiError(
      'InvalidSecurityToken.MissingSecurityToken',
      `The AccessKey ${key.accessKeyId} is an STS credential; send its ${sentAs}.`,
    );
  if (token !== key.securityToken)
    throw new ApiError(
      'InvalidSecurityToken.MismatchWithAccessKey',
      'Specified security token mismatch with access key.',
    );
}

function checkSignedHeaders(request: WireRequest, signedHeaders: string[]): void {
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (!signedHeaders.includes(name)) throw incomplete(`the header ${name} must be signed.`);
  }
  for (const name of Object.keys(request.headers)) {
    if (name.startsWith('x-acs-') && !signedHeaders.includes(name))
      throw incomplete(`the header ${name} is sent but not signed.`);
  }
  for (const name of signedHeaders) {
    if (headerValue(request.headers, name) === undefined)
      throw incomplete(`the signed header ${name} is not in the request.`);
  }
}

/**
 * Verifies an ACS3-HMAC-SHA256 request and answers who sent it; throws the error the gateway
 * would answer with. The nonce is recorded only once the signature is good, so a forged request
 * cannot burn a legitimate caller's nonce.
 */
export function verifyRequest(
  request: WireRequest,
  lookup: (accessKeyId: string) => KnownAccessKey | undefined,
  nonces: NonceLedger,
  now: number,
): VerifiedCaller {
  const authorization = parseAuthorization(headerValue(request.headers, 'authorization'));
  checkTimestamp(headerValue(request.headers, 'x-acs-date'), now);
  const nonce = headerValue(request.headers, 'x-acs-signature-nonce');
  if (!nonce) throw incomplete('the x-acs-signature-nonce header is missing.');

  const key = lookup(authorization.accessKeyId);
  if (!key)
    throw new ApiError(
      'InvalidAccessKeyId.NotFound',
      `Specified access key is not found: ${authorization.accessKeyId}.`,
      404,
    );
  checkSecurityToken(request, key);
  checkSignedHeaders(request, authorization.signedHeaders);

  const declaredPayloadHash = headerValue(request.headers, 'x-acs-content-sha256')!;
  const payloadHash = sha256Hex(request.body);
  if (declaredPayloadHash !== payloadHash) {
    throw new ApiError(
      'SignatureDoesNotMatch',
      `x-acs-content-sha256 ${declaredPayloadHash} is not the SHA-256 of the body (${payloadHash}).`,
    );
  }

  const canonical = canonicalRequest(request, authorization.signedHeaders, payloadHash);
  const serverStringToSign = stringToSign(canonical);
  const expected = Buffer.from(hmacHex(key.accessKeySecret, serverStringToSign));
  const given = Buffer.from(authorization.signature);
  if (!timingSafeEqual(expected, given)) {
    throw new ApiError(
      'SignatureDoesNotMatch',
      `Specified signature does not match our calculation. server string to sign is:${serverStringToSign} (canonical request:${JSON.stringify(canonical)})`,
    );
  }
  if (!nonces.use(key.accessKeyId, nonce, now)) {
    throw new ApiError('SignatureNonceUsed', `Specified signature nonce was used already: ${nonce}.`);
  }
  return { accessKeyId: key.accessKeyId, accountId: key.accountId };
}
