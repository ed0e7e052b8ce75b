/**
 * The chart's controller Deployment against the real controller: the bundled asmpvl-controller is
 * started as a local process with exactly the arguments and environment the chart renders (only
 * the in-cluster service account is replaced by a kubeconfig holding that service account's token,
 * and the health server bound to loopback), and with nothing but the chart's RBAC behind it. It
 * must become ready, take the Lease in its namespace, and release it on SIGTERM with exit 0.
 *
 * Only the chart's ServiceAccount, ClusterRole, Role and bindings are applied to the API server,
 * never its Deployments or webhook configurations: the API server must not dial a Service here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { freePort } from '../support/ports';
import { adminKubeconfig, CHART_DIR, eventually, helm, installAsmpvlCrd, kubectl, mustSucceed } from './harness';

const REPO = join(__dirname, '..', '..');
const CONTROLLER_BIN = join(REPO, 'dist', 'asmpvl-controller.cjs');
const RELEASE = 'asmpvl-chart-rbac';
const NAMESPACE = 'asmpvl-chart-rbac';
const POD_NAME = 'asmpvl-chart-rbac-controller-0';
const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
}

let work = '';
let manifests: Manifest[] = [];
let controller: ChildProcess | undefined;
let exit: Promise<number | null> | undefined;
let output = '';
let healthPort = 0;
let metricsPort = 0;

function controllerObjects(kinds: Set<string>): Manifest[] {
  return manifests.filter(
    (manifest) =>
      kinds.has(manifest.kind) && manifest.metadata.labels?.['app.kubernetes.io/component'] === 'controller',
  );
}

function containerOf(): { command: string[]; args: string[]; env: Array<{ name: string; valueFrom?: any }> } {
  const [deployment] = controllerObjects(new Set(['Deployment']));
  return deployment!.spec.template.spec.containers[0];
}

/** A kubeconfig for the chart's ServiceAccount: the admin kubeconfig's server and CA, the account's token. */
async function serviceAccountKubeconfig(serviceAccount: string): Promise<string> {
  const token = (
    await mustSucceed(
      kubectl(['create', 'token', serviceAccount, '-n', NAMESPACE, '--duration', '1h']),
      'kubectl create token',
    )
  ).stdout.trim();
  const admin = parse(adminKubeconfig().text) as { clusters: Array<{ cluster: Record<string, string> }> };
  const path = join(work, 'controller.kubeconfig');
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: admin.clusters[0]!.cluster }],
      users: [{ name: serviceAccount, user: { token } }],
      contexts: [{ name: 'controller', context: { cluster: 'e2e', user: serviceAccount } }],
      'current-context': 'controller',
    }),
    { mode: 0o600 },
  );
  return path;
}

function httpStatus(path: string, port = healthPort): Promise<number> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

async function lease(): Promise<{ holderIdentity?: string } | undefined> {
  const result = await kubectl(['get', 'lease', 'asmpvl-controller', '-n', NAMESPACE, '-o', 'json']);
  if (result.code !== 0) return undefined;
  return (JSON.parse(result.stdout) as { spec: { holderIdentity?: string } }).spec;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'asmpvl-chart-controller-'));
  await installAsmpvlCrd();
  const rendered = await mustSucceed(
    helm([
      'template',
      RELEASE,
      CHART_DIR,
      '--namespace',
      NAMESPACE,
      '--kube-version',
      '1.37.2',
      '--set',
      'controller.enabled=true',
      '--set-string',
      'controller.region=cn-hangzhou',
      '--set-string',
      'controller.credentials.secretName=asmpvl-cloud',
    ]),
    'helm template',
  );
  manifests = parseAllDocuments(rendered.stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
  await kubectl(['create', 'namespace', NAMESPACE]);
  const rbac = controllerObjects(RBAC_KINDS);
  expect(rbac.map((manifest) => manifest.kind).sort()).toEqual([
    'ClusterRole',
    'ClusterRoleBinding',
    'Role',
    'Role',
    'RoleBinding',
    'RoleBinding',
    'ServiceAccount',
  ]);
  await mustSucceed(
    kubectl(['apply', '-f', '-'], { input: rbac.map((manifest) => stringify(manifest)).join('---\n') }),
    'kubectl apply of the chart RBAC',
  );
});

afterAll(async () => {
  if (controller && controller.exitCode === null) controller.kill('SIGKILL');
  for (const manifest of controllerObjects(new Set(['ClusterRole', 'ClusterRoleBinding']))) {
    await kubectl(['delete', manifest.kind, manifest.metadata.name, '--ignore-not-found', '--wait=false']);
  }
  // The Events Role and its binding live in default, which outlives this file's namespace.
  for (const manifest of controllerObjects(new Set(['Role', 'RoleBinding']))) {
    if (manifest.metadata.namespace !== 'default') continue;
    await kubectl(['delete', manifest.kind, manifest.metadata.name, '-n', 'default', '--ignore-not-found']);
  }
  await kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the chart RBAC allows the controller what the contract lists and nothing more', async () => {
  const as = `system:serviceaccount:${NAMESPACE}:${RELEASE}-controller`;
  const can = async (...args: string[]) => (await kubectl(['auth', 'can-i', ...args, '--as', as])).stdout.trim();
  expect(await can('watch', 'asmpvlconfigs.istio.alibabacloud.com')).toBe('yes');
  expect(await can('patch', 'asmpvlconfigs.istio.alibabacloud.com', '--subresource=status')).toBe('yes');
  expect(await can('update', 'asmpvlconfigs.istio.alibabacloud.com', '--subresource=finalizers')).toBe('yes');
  // Events about the cluster-scoped object: in default only, as client-go records them.
  expect(await can('create', 'events', '-n', 'default')).toBe('yes');
  expect(await can('get', 'events', '-n', 'default')).toBe('yes');
  expect(await can('patch', 'events', '-n', 'default')).toBe('yes');
  expect(await can('update', 'leases.coordination.k8s.io', '-n', NAMESPACE)).toBe('yes');
  // Never more: no deletes, no Secrets, no Leases elsewhere (the plugin's Lease included).
  expect(await can('delete', 'asmpvlconfigs.istio.alibabacloud.com')).toBe('no');
  expect(await can('create', 'asmpvlconfigs.istio.alibabacloud.com')).toBe('no');
  expect(await can('get', 'secrets', '-n', NAMESPACE)).toBe('no');
  expect(await can('update', 'leases.coordination.k8s.io', '-n', 'default')).toBe('no');
  expect(await can('list', 'pods', '-n', NAMESPACE)).toBe('no');
  expect(await can('create', 'events', '-n', NAMESPACE)).toBe('no');
  expect(await can('create', 'events', '-n', 'kube-system')).toBe('no');
  expect(await can('create', 'events', '--all-namespaces')).toBe('no');
  expect(await can('list', 'events', '-n', 'default')).toBe('no');
  expect(await can('delete', 'events', '-n', 'default')).toBe('no');
});

test('the bundled controller runs with the rendered command, flags and environment, takes its Lease and releases it on SIGTERM', async () => {
  const container = containerOf();
  expect(container.command).toEqual(['node', '/app/dist/asmpvl-controller.cjs']);
  healthPort = await freePort();
  const kubeconfig = await serviceAccountKubeconfig(`${RELEASE}-controller`);
  // The rendered flags, with the port moved off 8081 (taken by nothing here, but shared machines).
  metricsPort = await freePort();
  const args = container.args.map((arg) =>
    arg.startsWith('--health-probe-bind-address=')
      ? `--health-probe-bind-address=127.0.0.1:${healthPort}`
      : arg.startsWith('--metrics-bind-address=')
        ? `--metrics-bind-address=127.0.0.1:${metricsPort}`
        : arg,
  );
  // The Deployment's environment: the downward API values, and the Secret's keys (fake ones; the
  // cloud is never called, there is no ASMPvlConfig to reconcile, and the endpoint is loopback).
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };
  for (const variable of container.env) {
    if (variable.name === 'POD_NAMESPACE') env.POD_NAMESPACE = NAMESPACE;
    else if (variable.name === 'POD_NAME') env.POD_NAME = POD_NAME;
    else if (variable.valueFrom?.secretKeyRef)
      env[variable.name] = variable.valueFrom.secretKeyRef.optional ? undefined : 'e2e-fake';
  }
  expect(Object.keys(env).sort()).toEqual(
    expect.arrayContaining([
      'POD_NAMESPACE',
      'POD_NAME',
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    ]),
  );
  controller = spawn(
    process.execPath,
    [CONTROLLER_BIN, ...args, '--kubeconfig', kubeconfig, '--cloud-endpoint', 'http://127.0.0.1:9'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  controller.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  controller.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  exit = new Promise((resolve) => controller!.once('exit', (code) => resolve(code)));

  await eventually(async () => expect(await httpStatus('/healthz')).toBe(200), { timeoutMs: 30_000 }).catch(
    (error: Error) => {
      throw new Error(`${error.message}\ncontroller output:\n${output}`);
    },
  );
  await eventually(async () => expect(await httpStatus('/readyz')).toBe(200), { timeoutMs: 30_000 });
  await eventually(async () => expect((await lease())?.holderIdentity ?? '').toContain(POD_NAME), {
    timeoutMs: 30_000,
  });
  // Metrics on their own port, with the process and runtime series; the probe port serves none.
  const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(scraped).toMatch(/^process_cpu_seconds_total /m);
  expect(scraped).toMatch(/^nodejs_eventloop_lag_seconds /m);
  expect(scraped).toMatch(/^asmpvl_controller_leader 1$/m);
  expect(await httpStatus('/metrics')).toBe(404);

  controller.kill('SIGTERM');
  // terminationGracePeriodSeconds in the chart: 60 s.
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exit,
    new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 60_000))),
  ]);
  clearTimeout(timer);
  expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
  // Every line is JSON as controller-runtime's zap writes it: nothing else on stdout or stderr.
  expect(stderr).toBe('');
  for (const line of stdout.split('\n').filter(Boolean)) {
    expect(JSON.parse(line)).toMatchObject({
      level: expect.stringMatching(/^(debug|info|warn|error)$/) as unknown,
      ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      logger: expect.any(String) as unknown,
      msg: expect.any(String) as unknown,
    });
  }
  expect((await lease())?.holderIdentity ?? '').toBe('');
});
