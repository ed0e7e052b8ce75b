/**
 * The ecosystem's own linters on charts/asmpvl, each on every render mode in charts/asmpvl/ci/
 * (default, cert-manager, url, controller, controller-kubeconfig): chart-testing's `ct lint`, kubeconform against schemas
 * taken from the real kube-apiserver of this run (its /openapi/v2, so no schema is downloaded), and
 * kube-score. The tools come from test/e2e/tools/lint-tools.sh (built once from the Go module proxy).
 *
 * Decided exceptions, each named where it is passed: kube-score's container-image-pull-policy
 * (the chart uses IfNotPresent on an immutable version tag or digest: values.yaml says why), and
 * kubeconform skips cert-manager's Certificate and Issuer (no cert-manager CRDs on this server).
 * ct runs without its yamllint/yamale steps (Python tools that cannot be installed here) and
 * without the maintainer check (it asks GitHub whether each maintainer is an account).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR, e2eEnvironment, kubectl, mustSucceed, run, type CommandResult } from './harness';

const REPO = join(__dirname, '..', '..');
const KUBE_VERSION = '1.37.2';
const CI_DIR = join(CHART_DIR, 'ci');
// Only the first lint-tools.sh run compiles (about 5 minutes cold); afterwards it prints the cache.
const BUILD_TIMEOUT_MS = 30 * 60_000;
const MODES = readdirSync(CI_DIR)
  .filter((file) => file.endsWith('-values.yaml'))
  .map((file) => file.replace(/-values\.yaml$/, ''))
  .sort();
const KUBE_SCORE_IGNORED = [
  // IfNotPresent on a version tag or digest, on purpose: see image.pullPolicy in values.yaml.
  'container-image-pull-policy',
];
// Optional kube-score checks the chart meets and should keep meeting.
const KUBE_SCORE_EXTRA = ['container-seccomp-profile', 'container-ports-check'];
// cert-manager's kinds: this API server has no cert-manager CRDs to take a schema from.
const KUBECONFORM_SKIPPED = ['Certificate', 'Issuer'];

let tools = '';
let work = '';
let schemaDir = '';

/** kubeconform, kube-score, ct: from ASMPVL_E2E_LINT_BIN_DIR when set, else lint-tools.sh's output. Never skips. */
function findLintTools(): string {
  const tried: string[] = [];
  const has = (dir: string) => ['kubeconform', 'kube-score', 'ct'].every((tool) => existsSync(join(dir, tool)));
  const binDir = process.env.ASMPVL_E2E_LINT_BIN_DIR;
  if (binDir) {
    if (has(binDir)) return binDir;
    tried.push(`ASMPVL_E2E_LINT_BIN_DIR=${binDir} lacks kubeconform, kube-score or ct`);
  }
  const built = spawnSync('bash', [join(REPO, 'test', 'e2e', 'tools', 'lint-tools.sh')], {
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  const printed = built.stdout?.trim().split('\n').pop() ?? '';
  if (built.status === 0 && printed && has(printed)) return printed;
  tried.push(`bash test/e2e/tools/lint-tools.sh exited ${built.status ?? built.signal}:\n${built.stderr}`);
  throw new Error(
    `The chart lint tests need kubeconform, kube-score and ct and found none.\n${tried.join('\n')}\n` +
      'Run `bash test/e2e/tools/lint-tools.sh` (needs Go and the module proxy) or set ASMPVL_E2E_LINT_BIN_DIR.',
  );
}

function tool(name: string, args: string[], input?: string): Promise<CommandResult> {
  // ct calls helm from PATH: the pinned one.
  return run(join(tools, name), args, {
    input,
    timeoutMs: 120_000,
    env: { PATH: `${e2eEnvironment().binDir}:${process.env.PATH ?? ''}` },
  });
}

/** `helm template` of one ci/ values file, with the CRD, as a GitOps tool would apply it. */
async function render(mode: string): Promise<string> {
  const pending = run(e2eEnvironment().helm, [
    'template',
    'asmpvl',
    CHART_DIR,
    '--namespace',
    'asmpvl-system',
    '--kube-version',
    KUBE_VERSION,
    '--include-crds',
    '--values',
    join(CI_DIR, `${mode}-values.yaml`),
  ]);
  return (await mustSucceed(pending, `helm template with ci/${mode}-values.yaml`)).stdout;
}

type Schema = Record<string, any>;

/**
 * kubeconform reads one JSON Schema per kind. Each is built from the API server's OpenAPI v2
 * definition of that kind, with the definitions it reaches carried along, made strict (unknown
 * fields fail, as `kubectl apply --validate=strict` fails them) and with int-or-string and
 * quantities taking both forms the API server accepts.
 */
function kubeconformSchemas(openapi: { definitions: Record<string, Schema> }, dir: string): number {
  const loosened = (name: string, definition: Schema): Schema => {
    if (definition.format === 'int-or-string' || name.endsWith('.api.resource.Quantity')) {
      return { description: definition.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
    }
    return definition;
  };
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict);
    if (typeof node !== 'object' || node === null) return node;
    const result: Schema = {};
    for (const [key, value] of Object.entries(node as Schema)) {
      result[key] =
        key === 'properties'
          ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, strict(v)]))
          : strict(value);
    }
    if (result.properties && result.additionalProperties === undefined) result.additionalProperties = false;
    return result;
  };
  const definitions = Object.fromEntries(
    Object.entries(openapi.definitions).map(([name, definition]) => [name, strict(loosened(name, definition))]),
  ) as Record<string, Schema>;
  const reachable = (root: string): Record<string, Schema> => {
    const seen = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node as Schema)) {
        if (key === '$ref' && typeof value === 'string') {
          const name = value.replace('#/definitions/', '');
          if (!seen.has(name)) {
            seen.add(name);
            visit(definitions[name]);
          }
        } else visit(value);
      }
    };
    visit(definitions[root]);
    return Object.fromEntries([...seen].map((name) => [name, definitions[name]!]));
  };
  let written = 0;
  for (const [name, definition] of Object.entries(definitions)) {
    for (const gvk of (openapi.definitions[name]!['x-kubernetes-group-version-kind'] ?? []) as Schema[]) {
      // kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}: kind, then the group's first label, then the version.
      const group = gvk.group ? `-${String(gvk.group).split('.')[0]}` : '';
      const file = `${String(gvk.kind).toLowerCase()}${group}-${gvk.version}.json`.toLowerCase();
      writeFileSync(join(dir, file), JSON.stringify({ ...definition, definitions: reachable(name) }));
      written++;
    }
  }
  return written;
}

interface KubeconformSummary {
  valid: number;
  invalid: number;
  errors: number;
  skipped: number;
}

async function kubeconform(manifests: string): Promise<{ result: CommandResult; summary: KubeconformSummary }> {
  const result = await tool(
    'kubeconform',
    [
      '-schema-location',
      `${schemaDir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      '-skip',
      KUBECONFORM_SKIPPED.join(','),
      '-output',
      'json',
      '-summary',
      '-',
    ],
    manifests,
  );
  const parsed = JSON.parse(result.stdout || '{}') as { summary?: KubeconformSummary };
  return { result, summary: parsed.summary ?? { valid: 0, invalid: 0, errors: 0, skipped: 0 } };
}

function kubeScore(manifests: string): Promise<CommandResult> {
  return tool(
    'kube-score',
    [
      'score',
      '--kubernetes-version',
      'v1.37',
      '--output-format',
      'ci',
      ...KUBE_SCORE_IGNORED.flatMap((test) => ['--ignore-test', test]),
      ...KUBE_SCORE_EXTRA.flatMap((test) => ['--enable-optional-test', test]),
      '-',
    ],
    manifests,
  );
}

function documents(manifests: string): Array<{ kind: string }> {
  return parseAllDocuments(manifests)
    .map((document) => document.toJS() as { kind: string } | null)
    .filter((document): document is { kind: string } => document !== null);
}

beforeAll(async () => {
  tools = findLintTools();
  work = mkdtempSync(join(tmpdir(), 'asmpvl-chart-lint-'));
  schemaDir = join(work, 'schemas');
  mkdirSync(schemaDir);
  const openapi = await mustSucceed(kubectl(['get', '--raw', '/openapi/v2']), 'kubectl get --raw /openapi/v2');
  expect(kubeconformSchemas(JSON.parse(openapi.stdout), schemaDir)).toBeGreaterThan(50);
}, BUILD_TIMEOUT_MS + 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the ci/ folder covers every mode: default, cert-manager, url, controller (in-cluster and with a kubeconfig) and both sides of an ASM install', () => {
  expect(MODES).toEqual([
    'asm-apiserver',
    'asm-pods',
    'cert-manager',
    'controller',
    'controller-kubeconfig',
    'default',
    'url',
  ]);
});

test('ct lint passes on the chart with every ci/ values file', async () => {
  const result = await tool('ct', [
    'lint',
    '--charts',
    CHART_DIR,
    '--chart-dirs',
    join(CHART_DIR, '..'),
    '--validate-maintainers=false',
    '--check-version-increment=false',
    '--validate-chart-schema=false',
    '--validate-yaml=false',
    '--helm-lint-extra-args',
    `--strict --kube-version ${KUBE_VERSION}`,
  ]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  for (const mode of MODES) expect(result.stdout).toContain(`ci/${mode}-values.yaml`);
  expect(result.stdout).toContain('All charts linted successfully');
});

describe.each(MODES)('ci/%s-values.yaml', (mode) => {
  let manifests = '';
  beforeAll(async () => {
    manifests = await render(mode);
  });

  test('kubeconform: every object is valid against the API server schemas, unknown fields included', async () => {
    const { result, summary } = await kubeconform(manifests);
    const skipped = documents(manifests).filter((doc) => KUBECONFORM_SKIPPED.includes(doc.kind)).length;
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(summary).toEqual({ valid: documents(manifests).length - skipped, invalid: 0, errors: 0, skipped });
  });

  test('kube-score: no warning and no critical finding', async () => {
    const result = await kubeScore(manifests);
    const findings = result.stdout.split('\n').filter((line) => /^\[(WARNING|CRITICAL)\]/.test(line));
    expect(findings).toEqual([]);
    expect(result.code).toBe(0);
  });
});

describe('the linters catch what they are here for', () => {
  test('kubeconform rejects a misspelt field, which the API server would drop or refuse', async () => {
    const manifests = (await render('default')).replace('revisionHistoryLimit:', 'revisionHistoryLimt:');
    const { result, summary } = await kubeconform(manifests);
    expect(result.code).not.toBe(0);
    expect(summary.invalid).toBe(1);
    expect(result.stdout).toContain('revisionHistoryLimt');
  });

  test('kube-score flags webhook pods no NetworkPolicy covers', async () => {
    const rendered = await mustSucceed(
      run(e2eEnvironment().helm, [
        'template',
        'asmpvl',
        CHART_DIR,
        '--kube-version',
        KUBE_VERSION,
        '--set',
        'networkPolicy.enabled=false',
      ]),
      'helm template',
    );
    const scored = await kubeScore(rendered.stdout);
    expect(scored.code).not.toBe(0);
    expect(scored.stdout).toMatch(/\[CRITICAL\] asmpvl-webhook.*NetworkPolicy/);
  });
});
