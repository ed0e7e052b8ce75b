// The worst review bodies we can make below the webhook's 8 MiB size limit, for the memory chaos test and
// the large-body benchmark alike.
import { clustersNeedingRewrites, nestedJson } from '../arbitraries/hostile';
import { loadFixture } from '../fixtures';

const fixture = loadFixture('admission/create-vendor-example.json') as { request: Record<string, unknown> };
/** A review whose `field` of the request (object, oldObject) is the raw JSON text given. */
function reviewWith(field: 'object' | 'oldObject', json: string): string {
  return JSON.stringify({ ...fixture, request: { ...fixture.request, [field]: '@raw' } }).replace('"@raw"', json);
}
const objectWithSpecList = (list: string) =>
  JSON.stringify({
    ...(fixture.request.object as object),
    spec: { ackVpcEndpoint: '@list', asmVpcEndpoint: {} },
  }).replace('"@list"', list);
const repeat = (item: string, times: number) => `[${Array.from({ length: times }, () => item).join(',')}]`;

/** The worst bodies we found, each just under a limit of the webhook (8 MiB, 500k objects, arrays and list entries, 100k values in spec). */
export const WORST: Array<{ name: string; path: string; body: () => string; status: number }> = [
  {
    name: '249,000 empty objects in oldObject',
    path: '/validate',
    body: () => reviewWith('oldObject', repeat('{}', 249_000)),
    status: 200,
  },
  {
    name: '249,000 one-key objects in oldObject',
    path: '/mutate',
    body: () => reviewWith('oldObject', repeat('{"a":0}', 249_000)),
    status: 200,
  },
  {
    name: '499,000 distinct short strings',
    path: '/validate',
    body: () =>
      reviewWith('oldObject', `[${Array.from({ length: 499_000 }, (_, i) => `"${i.toString(36)}"`).join(',')}]`),
    status: 200,
  },
  {
    name: 'one object with 490,000 keys',
    path: '/validate',
    body: () =>
      reviewWith('oldObject', `{${Array.from({ length: 490_000 }, (_, i) => `"${i.toString(36)}":0`).join(',')}}`),
    status: 200,
  },
  {
    name: '2.5M values (refused before parsing)',
    path: '/validate',
    body: () => reviewWith('oldObject', repeat('0', 2_500_000)),
    status: 413,
  },
  {
    name: '99,000 empty clusters in spec (2 schema errors each)',
    path: '/validate',
    body: () => reviewWith('object', objectWithSpecList(repeat('{}', 190_000))),
    status: 200,
  },
  {
    name: '33,000 clusters with wrongly typed fields',
    path: '/validate',
    body: () => reviewWith('object', objectWithSpecList(repeat('{"clusterId":{},"vSwitches":0}', 33_000))),
    status: 200,
  },
  {
    name: '11,000 clusters needing rewrites, on /mutate',
    path: '/mutate',
    body: () => reviewWith('object', JSON.stringify(clustersNeedingRewrites(11_000))),
    status: 200,
  },
  {
    name: 'managedFields nested 10,000 levels deep',
    path: '/validate',
    body: () =>
      reviewWith(
        'object',
        JSON.stringify({
          ...(fixture.request.object as object),
          metadata: { name: 'default', managedFields: [{ fieldsV1: '@deep' }] },
        }).replace('"@deep"', nestedJson(10_000)),
      ),
    status: 200,
  },
  {
    name: 'a 7.9 MiB string of escapes',
    path: '/validate',
    body: () => reviewWith('oldObject', `"${'\\u00e9'.repeat(1_380_000)}"`),
    status: 200,
  },
];
