import { canonicalJson, clientTokenFor, type TokenSubject } from './client-token';

const subject: TokenSubject = {
  meshId: 'cf9171d03515f8f0920a4425eca656495',
  clusterId: 'c84974f524e2045c87dccadff91a71708',
  link: 'apiserver',
  step: 'apiserver/c84974f524e2045c87dccadff91a71708/create-service',
  specRevision: '2f1e5a4e-0d7b-4c1e-9d55-2d3c9e1a7b10/3',
  parameters: { loadBalancer: 'lb-bp1lr2uy9cv2vqpy7jr0a', kind: 'slb', zones: ['cn-hangzhou-j'] },
};

describe('clientTokenFor', () => {
  test('the same step of the same spec gives the same token, so a re-run after a kill re-sends it', () => {
    expect(clientTokenFor({ ...subject })).toBe(clientTokenFor(subject));
  });

  test('is ASCII, starts with asmpvl- and fits the 64 characters the cloud allows', () => {
    const token = clientTokenFor(subject);
    expect(token).toMatch(/^asmpvl-[0-9a-f]{40}$/);
    expect(token.length).toBeLessThanOrEqual(64);
  });

  test('parameter key order does not matter', () => {
    expect(
      clientTokenFor({
        ...subject,
        parameters: { zones: ['cn-hangzhou-j'], kind: 'slb', loadBalancer: 'lb-bp1lr2uy9cv2vqpy7jr0a' },
      }),
    ).toBe(clientTokenFor(subject));
  });

  test.each([
    [
      'another spec generation (a disconnect then connect must not replay a deleted resource)',
      { specRevision: '2f1e5a4e-0d7b-4c1e-9d55-2d3c9e1a7b10/5' },
    ],
    ['another object (deleted and made again)', { specRevision: '00000000-0000-0000-0000-000000000000/3' }],
    [
      'other parameters (the same token with others is refused)',
      { parameters: { loadBalancer: 'lb-bp1lr2uy9cv2vqpy7jr0a', kind: 'slb', zones: ['cn-hangzhou-k'] } },
    ],
    ['another step', { step: 'apiserver/c84974f524e2045c87dccadff91a71708/create-endpoint' }],
    ['another cluster', { clusterId: 'cab1659d273777fbbeb08d1f747ad55b7' }],
    ['another mesh', { meshId: 'c00000000000000000000000000000000' }],
    ['the shared service', { clusterId: undefined, link: 'pilot' }],
  ])('changes with %s', (_, change) => {
    expect(clientTokenFor({ ...subject, ...change })).not.toBe(clientTokenFor(subject));
  });
});

describe('canonicalJson', () => {
  test('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"f":1}]},"b":1}',
    );
  });
});
