import { eventName, type EventSubject, messageIdentity } from './events';

const object: EventSubject = { metadata: { name: 'default', uid: '6f1c5e0a-7d55-4a59-9b0e-3f7f3c1d2a10' } };
const failed = { type: 'Warning', reason: 'ReconcileFailed', message: 'read cluster c1 failed' } as const;

describe('eventName', () => {
  test('the same object, type, reason, message and component name the same Event', () => {
    const name = eventName(object, failed, 'asmpvl-controller');
    expect(name).toMatch(/^default\.[0-9a-f]{16}$/);
    expect(eventName({ ...object, metadata: { ...object.metadata } }, { ...failed }, 'asmpvl-controller')).toBe(name);
  });

  test('any of them differing names another Event', () => {
    const name = eventName(object, failed, 'asmpvl-controller');
    const others = [
      eventName(object, { ...failed, message: 'read cluster c2 failed' }, 'asmpvl-controller'),
      eventName(object, { ...failed, reason: 'CleanupFailed' }, 'asmpvl-controller'),
      eventName(object, { ...failed, type: 'Normal' }, 'asmpvl-controller'),
      eventName(object, failed, 'kubectl-asmpvl'),
      eventName({ ...object, metadata: { ...object.metadata, uid: 'another-uid' } }, failed, 'asmpvl-controller'),
    ];
    expect(new Set([name, ...others]).size).toBe(6);
  });
});

describe('messageIdentity', () => {
  const failure = (requestId: string) =>
    `read cluster c0123456789abcdef0123456789abcdef (ACK DescribeClusterDetail) failed: ACK DescribeClusterDetail for c0123456789abcdef0123456789abcdef failed: ErrorClusterNotFound (HTTP 404, request id ${requestId}): The specified cluster does not exist.`;

  test('the same failure with another request id is the same Event', () => {
    const first = failure('8D2C5F0E-3B7A-4C59-9E61-0A4F2B7C1D93');
    const second = failure('1F0B9A47-6E2D-4A83-B5C8-7D3E9F4A2B61');
    expect(messageIdentity(first)).toBe(messageIdentity(second));
    expect(messageIdentity(first)).toContain('(HTTP 404, request id …): The specified cluster');
    expect(eventName(object, { ...failed, message: first }, 'c')).toBe(
      eventName(object, { ...failed, message: second }, 'c'),
    );
  });

  test('a RAM denial keeps everything but its request id', () => {
    expect(
      messageIdentity(
        'RAM denied privatelink:CreateVpcEndpoint (PrivateLink CreateVpcEndpoint; Forbidden.RAM, HTTP 403, request id 5C3A-1). Next: add it',
      ),
    ).toBe(
      'RAM denied privatelink:CreateVpcEndpoint (PrivateLink CreateVpcEndpoint; Forbidden.RAM, HTTP 403, request id …). Next: add it',
    );
  });
});
