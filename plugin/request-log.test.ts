import { redactBody, requestLogLines } from './request-log';

const at = new Date(2026, 11, 5, 6, 40, 1, 234);
const event = {
  method: 'GET',
  url: 'https://127.0.0.1:6443/apis/istio.alibabacloud.com/v1beta1/asmpvlconfigs/default',
  status: 200,
  durationMs: 7,
  requestHeaders: { Authorization: 'Bearer abc.def', Accept: 'application/json' },
  responseHeaders: { 'content-type': 'application/json' },
  responseBody: '{"kind":"ASMPvlConfig","metadata":{"name":"default"}}',
};

describe("Kubernetes API requests, logged as kubectl's -v=N", () => {
  it('logs nothing below 6', () => {
    expect(requestLogLines(event, 5, at, 42)).toBe('');
  });

  it('-v=6: verb, URL, status and milliseconds, one line', () => {
    expect(requestLogLines(event, 6, at, 42)).toBe(
      'I1205 06:40:01.234000      42 round_trippers.go:632] "Response" verb="GET" url="https://127.0.0.1:6443/apis/istio.alibabacloud.com/v1beta1/asmpvlconfigs/default" status="200 OK" milliseconds=7\n',
    );
  });

  it('-v=7: the request headers, Authorization masked as kubectl masks it', () => {
    const lines = requestLogLines(event, 7, at, 42);
    expect(lines).toContain(' headers=<\n\tAccept: application/json\n\tAuthorization: Bearer <masked>\n >\n');
    expect(lines).not.toContain('abc.def');
    expect(lines).not.toContain('Response Body');
  });

  it('-v=8: bodies, with secret values redacted, cut at 1024 characters', () => {
    const secret = JSON.stringify({
      kind: 'Secret',
      data: { 'tls.key': 'c2VjcmV0' },
      metadata: { name: 'x', annotations: { token: 'xyz' } },
    });
    const lines = requestLogLines({ ...event, responseBody: secret, requestBody: '{"password":"hunter2"}' }, 8, at, 42);
    expect(lines).toContain('"Request Body" body="{\\"password\\":\\"<redacted>\\"}"');
    expect(lines).toContain('\\"tls.key\\":\\"<redacted>\\"');
    expect(lines).not.toMatch(/c2VjcmV0|xyz|hunter2/);
    const long = requestLogLines({ ...event, responseBody: JSON.stringify({ a: 'x'.repeat(2000) }) }, 8, at, 42);
    expect(long).toContain(' [truncated 984 chars]"');
  });

  it('a request that got no answer says why', () => {
    expect(requestLogLines({ ...event, status: 0, error: 'connect ECONNREFUSED' }, 6, at, 42)).toContain(
      'status="" milliseconds=7 err="connect ECONNREFUSED"',
    );
  });

  it('leaves a body that is not JSON as it is', () => {
    expect(redactBody('not json')).toBe('not json');
  });
});
