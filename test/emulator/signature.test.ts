import { createHash, createHmac } from 'node:crypto';
import { stringify } from 'node:querystring';
import { OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { refusal } from './testing/refusal';
import {
  canonicalQuery,
  canonicalUri,
  NonceLedger,
  percentEncode,
  verifyRequest,
  type KnownAccessKey,
  type WireRequest,
} from './signature';

const KEY: KnownAccessKey = {
  accessKeyId: 'LTAI5tTestKey000000000001',
  accessKeySecret: 'testSecret0123456789abcdefghij',
  accountId: '1234567890123456',
};
const STS_KEY: KnownAccessKey = {
  accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Ro',
  accessKeySecret: 'stsSecret',
  securityToken: 'CAISsecurityToken==',
  accountId: '1234567890123456',
};
const lookup = (id: string) => [KEY, STS_KEY].find((key) => key.accessKeyId === id);
const NOW = Date.UTC(2026, 0, 15, 8, 0, 0);
const DATE = '2026-01-15T08:00:00Z';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The documented algorithm written out by hand with node:crypto, independent of signature.ts:
 * the canonical request is spelled literally.
 */
function handSignedDescribeZones(secret: string): WireRequest {
  const canonical = [
    'POST',
    '/',
    'RegionId=cn-hangzhou&ServiceResourceType=slb&Tag.1.Key=team%20a&Tag.1.Value=x%2Ay~z',
    'host:127.0.0.1:18080',
    'x-acs-action:DescribeZones',
    `x-acs-content-sha256:${EMPTY_SHA256}`,
    `x-acs-date:${DATE}`,
    'x-acs-signature-nonce:3f1c0d8e-nonce-0001',
    'x-acs-version:2020-04-15',
    '',
    'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
    EMPTY_SHA256,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', secret).update(stringToSign).digest('hex');
  return {
    method: 'POST',
    rawPath: '/',
    // On the wire in another order and with querystring's encoding: the server must canonicalise.
    rawQuery: 'Tag.1.Value=x*y~z&ServiceResourceType=slb&RegionId=cn-hangzhou&Tag.1.Key=team%20a',
    headers: {
      host: '127.0.0.1:18080',
      'x-acs-action': 'DescribeZones',
      'x-acs-version': '2020-04-15',
      'x-acs-date': DATE,
      'x-acs-signature-nonce': '3f1c0d8e-nonce-0001',
      'x-acs-content-sha256': EMPTY_SHA256,
      'user-agent': 'AlibabaCloud (linux; x64) Node.js',
      accept: 'application/json',
      authorization: `ACS3-HMAC-SHA256 Credential=${KEY.accessKeyId},SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=${signature}`,
    },
    body: Buffer.alloc(0),
  };
}

/** A request signed by openapi-core's own signer (OpenApiUtil.getAuthorization), as the SDKs send it. */
function sdkSigned(
  options: {
    key?: KnownAccessKey;
    secret?: string;
    date?: string;
    nonce?: string;
    body?: string;
    pathname?: string;
    method?: string;
  } = {},
): WireRequest {
  const key = options.key ?? KEY;
  const request = new $dara.Request();
  request.method = options.method ?? 'POST';
  request.pathname = options.pathname ?? '/';
  request.query = OpenApiUtil.query({
    RegionId: 'cn-hangzhou',
    Zone: [{ VSwitchId: 'vsw-1', ZoneId: 'cn-hangzhou-j' }],
    EndpointName: "a b*c(d)!'",
  });
  request.headers = {
    host: '127.0.0.1:18080',
    'x-acs-version': '2020-04-15',
    'x-acs-action': 'CreateVpcEndpoint',
    'x-acs-date': options.date ?? DATE,
    'x-acs-signature-nonce': options.nonce ?? `nonce-${Math.random()}`,
    accept: 'application/json',
  };
  const body = Buffer.from(options.body ?? '');
  if (options.body !== undefined) request.headers['content-type'] = 'application/x-www-form-urlencoded';
  request.headers['x-acs-content-sha256'] = OpenApiUtil.hash(body, 'ACS3-HMAC-SHA256').toString('hex');
  if (key.securityToken) {
    request.headers['x-acs-accesskey-id'] = key.accessKeyId;
    request.headers['x-acs-security-token'] = key.securityToken;
  }
  request.headers.authorization = OpenApiUtil.getAuthorization(
    request,
    'ACS3-HMAC-SHA256',
    request.headers['x-acs-content-sha256'],
    key.accessKeyId,
    options.secret ?? key.accessKeySecret,
  );
  // What goes on the wire: the URL the SDK's HTTP layer builds with querystring.stringify.
  const rawQuery = stringify(request.query);
  return { method: request.method, rawPath: request.pathname, rawQuery, headers: { ...request.headers }, body };
}

describe('canonicalisation', () => {
  it('percent-encodes like RFC 3986: space %20, * %2A, ~ kept, reserved characters encoded', () => {
    expect(percentEncode("a b*c~d/e+f=g&h!'()")).toBe('a%20b%2Ac~d%2Fe%2Bf%3Dg%26h%21%27%28%29');
  });

  it('sorts the query by name and re-encodes values whatever the wire encoding was', () => {
    expect(canonicalQuery('b=2&a=x+y&c=%7E&Tag.1.Key=k')).toBe('Tag.1.Key=k&a=x%20y&b=2&c=~');
  });

  it('signs the path as the SDK does: + as %20, * as %2A, %7E as ~', () => {
    expect(canonicalUri('/clusters/c1+x*%7E')).toBe('/clusters/c1%20x%2A~');
    expect(canonicalUri('')).toBe('/');
  });
});

describe('verifyRequest', () => {
  it('accepts a request signed by hand with node:crypto following the documented algorithm', () => {
    expect(verifyRequest(handSignedDescribeZones(KEY.accessKeySecret), lookup, new NonceLedger(), NOW)).toEqual({
      accessKeyId: KEY.accessKeyId,
      accountId: KEY.accountId,
    });
  });

  it("accepts requests signed by openapi-core's signer, with a query, a form body and an ROA path", () => {
    const nonces = new NonceLedger();
    expect(verifyRequest(sdkSigned(), lookup, nonces, NOW).accessKeyId).toBe(KEY.accessKeyId);
    expect(
      verifyRequest(sdkSigned({ body: 'ResourceId.1=ep-1&Tag.1.Key=a%20b*' }), lookup, nonces, NOW).accessKeyId,
    ).toBe(KEY.accessKeyId);
    expect(
      verifyRequest(
        sdkSigned({ method: 'GET', pathname: '/clusters/c0123456789abcdef0123456789abcdef/resources' }),
        lookup,
        nonces,
        NOW,
      ).accessKeyId,
    ).toBe(KEY.accessKeyId);
  });

  it("refuses a wrong secret with SignatureDoesNotMatch and shows the server's string to sign", () => {
    const error = refusal(() =>
      verifyRequest(handSignedDescribeZones('not-the-secret'), lookup, new NonceLedger(), NOW),
    );
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}/);
  });

  it('refuses a tampered query (the signature covers it)', () => {
    const request = handSignedDescribeZones(KEY.accessKeySecret);
    request.rawQuery = request.rawQuery.replace('slb', 'nlb');
    expect(refusal(() => verifyRequest(request, lookup, new NonceLedger(), NOW)).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a body that is not the one hashed in x-acs-content-sha256', () => {
    const request = sdkSigned({ body: 'ResourceId.1=ep-1' });
    request.body = Buffer.from('ResourceId.1=ep-2');
    expect(refusal(() => verifyRequest(request, lookup, new NonceLedger(), NOW)).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses an unknown AccessKeyId with InvalidAccessKeyId.NotFound (404)', () => {
    const error = refusal(() =>
      verifyRequest(sdkSigned({ key: { ...KEY, accessKeyId: 'LTAI5tUnknown' } }), lookup, new NonceLedger(), NOW),
    );
    expect([error.code, error.status]).toEqual(['InvalidAccessKeyId.NotFound', 404]);
  });

  it.each([
    ['missing', undefined],
    ['another algorithm', 'ACS3-HMAC-SM3 Credential=x,SignedHeaders=host,Signature=' + '0'.repeat(64)],
    ['V2 style', 'acs LTAI5t:c2lnbmF0dXJl'],
    ['without SignedHeaders', `ACS3-HMAC-SHA256 Credential=${KEY.accessKeyId},Signature=${'0'.repeat(64)}`],
    ['garbled signature', `ACS3-HMAC-SHA256 Credential=${KEY.accessKeyId},SignedHeaders=host,Signature=zz`],
  ])('refuses an Authorization header that is %s with IncompleteSignature', (_, authorization) => {
    const request = sdkSigned();
    request.headers.authorization = authorization;
    expect(refusal(() => verifyRequest(request, lookup, new NonceLedger(), NOW)).code).toBe('IncompleteSignature');
  });

  it('refuses an x-acs-* header sent but left out of the signature', () => {
    const request = sdkSigned();
    request.headers['x-acs-extra'] = 'smuggled';
    expect(refusal(() => verifyRequest(request, lookup, new NonceLedger(), NOW)).message).toContain(
      'x-acs-extra is sent but not signed',
    );
  });

  it('refuses a reused nonce with SignatureNonceUsed, but only once the signature is good', () => {
    const nonces = new NonceLedger();
    const request = sdkSigned({ nonce: 'same-nonce' });
    const forged = sdkSigned({ nonce: 'same-nonce', secret: 'wrong' });
    expect(refusal(() => verifyRequest(forged, lookup, nonces, NOW)).code).toBe('SignatureDoesNotMatch');
    verifyRequest(request, lookup, nonces, NOW);
    expect(refusal(() => verifyRequest(request, lookup, nonces, NOW)).code).toBe('SignatureNonceUsed');
  });

  it('accepts x-acs-date within 15 minutes of the server clock and refuses it outside with InvalidTimeStamp.Expired', () => {
    const fifteenMinutes = 15 * 60 * 1000;
    expect(verifyRequest(sdkSigned(), lookup, new NonceLedger(), NOW + fifteenMinutes).accessKeyId).toBe(
      KEY.accessKeyId,
    );
    expect(refusal(() => verifyRequest(sdkSigned(), lookup, new NonceLedger(), NOW + fifteenMinutes + 1000)).code).toBe(
      'InvalidTimeStamp.Expired',
    );
    expect(refusal(() => verifyRequest(sdkSigned(), lookup, new NonceLedger(), NOW - fifteenMinutes - 1000)).code).toBe(
      'InvalidTimeStamp.Expired',
    );
    expect(
      refusal(() => verifyRequest(sdkSigned({ date: 'Thu, 15 Jan 2026 08:00:00 GMT' }), lookup, new NonceLedger(), NOW))
        .code,
    ).toBe('InvalidTimeStamp.Format');
  });

  it('accepts an STS credential with its token and refuses it without or with another token', () => {
    expect(verifyRequest(sdkSigned({ key: STS_KEY }), lookup, new NonceLedger(), NOW).accessKeyId).toBe(
      STS_KEY.accessKeyId,
    );
    const withoutToken = sdkSigned({ key: { ...STS_KEY, securityToken: undefined } });
    expect(refusal(() => verifyRequest(withoutToken, lookup, new NonceLedger(), NOW)).code).toBe(
      'InvalidSecurityToken.MissingSecurityToken',
    );
    const otherToken = sdkSigned({ key: { ...STS_KEY, securityToken: 'CAISother' } });
    expect(refusal(() => verifyRequest(otherToken, lookup, new NonceLedger(), NOW)).code).toBe(
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
  });

  it('refuses a V2 request that carries its signature in the query', () => {
    const request = sdkSigned();
    delete request.headers.authorization;
    request.rawQuery += '&Signature=abc&SignatureVersion=1.0';
    expect(refusal(() => verifyRequest(request, lookup, new NonceLedger(), NOW)).code).toBe('IncompleteSignature');
  });
});

describe('NonceLedger', () => {
  it('forgets a nonce once its timestamp could no longer be accepted', () => {
    const nonces = new NonceLedger();
    expect(nonces.use('ak', 'n', NOW)).toBe(true);
    expect(nonces.use('ak', 'n', NOW + 29 * 60 * 1000)).toBe(false);
    expect(nonces.use('ak', 'n', NOW + 31 * 60 * 1000)).toBe(true);
    expect(nonces.use('other-ak', 'n', NOW + 31 * 60 * 1000)).toBe(true);
  });
});
