import { assertCatalogued, CLOUD_ACTIONS, RAM_CODES } from './catalogue';

test('every entry is unique, and its RAM action is the product code and the action', () => {
  const keys = CLOUD_ACTIONS.map((entry) => `${entry.product} ${entry.action}`);
  expect(new Set(keys).size).toBe(keys.length);
  for (const entry of CLOUD_ACTIONS) expect(entry.ramAction).toBe(`${RAM_CODES[entry.product]}:${entry.action}`);
  // Only PrivateLink writes take DryRun.
  expect(
    CLOUD_ACTIONS.filter((entry) => entry.dryRun).every((entry) => entry.product === 'PrivateLink' && entry.mutating),
  ).toBe(true);
  expect(CLOUD_ACTIONS).toHaveLength(32);
});

test('a call that is not catalogued, or catalogued as another kind, is refused before it is sent', () => {
  expect(() => assertCatalogued({ product: 'PrivateLink', action: 'DescribeRegions', mutating: false })).toThrow(
    'PrivateLink DescribeRegions is not in engine/cloud/catalogue.ts: add it there',
  );
  expect(() => assertCatalogued({ product: 'ACK', action: 'ModifyCluster', mutating: false })).toThrow(
    'ACK ModifyCluster: the catalogue says mutating=true, the client false',
  );
  expect(() => assertCatalogued({ product: 'NLB', action: 'GetLoadBalancerAttribute', mutating: false })).not.toThrow();
});
