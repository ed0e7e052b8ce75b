// The chart's metadata for Artifact Hub (charts/asmpvl/Chart.yaml) repeats facts that live
// elsewhere: the CRD's names, the schema's description, the license, the plugin's homepage. Each is
// checked against its source here, and the example object against the validation core.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { API_VERSION, asmPvlConfigSchema, KIND, PLURAL, validateConfig } from '../core';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const chart = parse(read('charts/asmpvl/Chart.yaml')) as {
  home: string;
  icon: string;
  sources?: string[];
  annotations: Record<string, string>;
};
const annotation = (name: string): unknown => parse(chart.annotations[`artifacthub.io/${name}`] ?? 'null');

test('home is the homepage the krew manifest names; no sources, as package.json names no repository', () => {
  const krew = parse(read('asmpvl.yaml')) as { spec: { homepage: string } };
  expect(chart.home).toBe(krew.spec.homepage);
  expect((JSON.parse(read('package.json')) as { repository?: unknown }).repository).toBeUndefined();
  expect(chart.sources).toBeUndefined();
});

test('the icon is an inline SVG', () => {
  const match = /^data:image\/svg\+xml;base64,([A-Za-z0-9+/]+=*)$/.exec(chart.icon);
  expect(match).not.toBeNull();
  expect(Buffer.from(match![1]!, 'base64').toString()).toMatch(
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" .*<\/svg>$/,
  );
});

test('license and category', () => {
  expect(chart.annotations['artifacthub.io/license']).toBe(
    (JSON.parse(read('package.json')) as { license: string }).license,
  );
  expect(chart.annotations['artifacthub.io/category']).toBe('networking');
});

test('crds names the CRD the chart installs, with the schema description', () => {
  const crd = parse(read('charts/asmpvl/crds/asmpvlconfigs.istio.alibabacloud.com.yaml')) as {
    spec: { names: { kind: string; plural: string }; versions: Array<{ name: string }> };
  };
  const firstSentence = /^[^.]*\./.exec(asmPvlConfigSchema.description)![0];
  expect(annotation('crds')).toEqual([
    {
      kind: crd.spec.names.kind,
      version: crd.spec.versions[0]!.name,
      name: crd.spec.names.plural,
      displayName: KIND,
      description: firstSentence,
    },
  ]);
  expect([crd.spec.names.plural, crd.spec.versions[0]!.name]).toEqual([PLURAL, API_VERSION]);
});

test('crdsExamples is the valid example of the end-to-end fixtures, and valid', () => {
  const example = parse(read('test/e2e/fixtures/asmpvlconfig-valid.yaml')) as unknown;
  expect(annotation('crdsExamples')).toEqual([example]);
  expect(validateConfig(example)).toEqual({ errors: [], warnings: [] });
});

test('changes lists entries of the kinds Artifact Hub knows', () => {
  const changes = annotation('changes') as Array<{ kind: string; description: string }>;
  expect(changes.length).toBeGreaterThan(0);
  for (const change of changes) {
    expect(['added', 'changed', 'deprecated', 'removed', 'fixed', 'security']).toContain(change.kind);
    expect(change.description).not.toBe('');
  }
});
