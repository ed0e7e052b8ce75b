/**
 * Renders charts/asmpvl with the pinned helm (the one test/e2e/tools/build.sh builds) in each of its
 * modes and checks what the API server would be given: webhook configurations that can only ever
 * touch asmpvlconfigs, a caBundle that really signed the serving certificate, restricted pods, the
 * controller's Deployment and RBAC exactly as controller/ expects them (docs: the contract in the
 * chart README), NetworkPolicies, and a values schema that refuses typos.
 * The ecosystem's linters (kubeconform, kube-score, ct) run in chart-lint.e2e.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createCertificateAuthority } from './harness/certificates';

const REPO = join(__dirname, '..', '..');
const CHART = join(REPO, 'charts', 'asmpvl');
const RELEASE = 'asmpvl';
const NAMESPACE = 'asmpvl-system';
const SERVICE = 'asmpvl-webhook';
const CONTROLLER = 'asmpvl-controller';
// The pinned API server's version. helm built from source reports v1.20 by default, which the
// chart's kubeVersion (>=1.30) refuses.
const KUBE_VERSION = 'v1.37.2';
// Only the very first build.sh run compiles (minutes); afterwards it prints the cached directory.
const BUILD_TIMEOUT_MS = 30 * 60_000;

/** A rendered Kubernetes object; spec and webhooks are read field by field, so left untyped. */
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  webhooks?: any[];
  rules?: any[];
  roleRef?: any;
  subjects?: any[];
  automountServiceAccountToken?: boolean;
}

interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

let helmBinary = '';
let helmHome = '';

/** The pinned helm: from ASMPVL_E2E_BIN_DIR when set, else from build.sh's output. Never skips. */
function findHelm(): string {
  const tried: string[] = [];
  const binDir = process.env.ASMPVL_E2E_BIN_DIR;
  if (binDir) {
    const helm = join(binDir, 'helm');
    if (existsSync(helm)) return helm;
    tried.push(`ASMPVL_E2E_BIN_DIR=${binDir} holds no helm binary`);
  }
  const built = spawnSync('bash', [join(REPO, 'test', 'e2e', 'tools', 'build.sh')], {
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  const printedDir = built.stdout?.trim().split('\n').pop() ?? '';
  if (built.status === 0 && printedDir && existsSync(join(printedDir, 'helm'))) return join(printedDir, 'helm');
  tried.push(
    `bash test/e2e/tools/build.sh exited ${built.status ?? built.signal} and printed ${JSON.stringify(printedDir)}:\n${built.stderr ?? built.error?.message}`,
  );
  throw new Error(
    `The chart tests need the pinned helm and found none.\n${tried.join('\n')}\n` +
      'Run `bash test/e2e/tools/build.sh` (needs Go; see test/e2e/README.md) or set ASMPVL_E2E_BIN_DIR to a directory holding helm.',
  );
}

function helm(args: string[]): HelmResult {
  const result = spawnSync(helmBinary, args, {
    encoding: 'utf8',
    timeout: 60_000,
    // Nothing from $HOME or a real cluster: `helm template` must render offline.
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(helmHome, 'cache'),
      HELM_CONFIG_HOME: join(helmHome, 'config'),
      HELM_DATA_HOME: join(helmHome, 'data'),
      KUBECONFIG: join(helmHome, 'no-kubeconfig'),
    },
  });
  return {
    status: result.status ?? -1,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? result.error?.message ?? '',
  };
}

type Values = Record<string, string | number | boolean>;

/** --set-string for strings, so helm never reads a value like "1" or "true" as another type. */
function setFlags(values: Values): string[] {
  return Object.entries(values).flatMap(([key, value]) => [
    typeof value === 'string' ? '--set-string' : '--set',
    `${key}=${value}`,
  ]);
}

function template(values: Values = {}): HelmResult {
  return helm([
    'template',
    RELEASE,
    CHART,
    '--namespace',
    NAMESPACE,
    '--kube-version',
    KUBE_VERSION,
    ...setFlags(values),
  ]);
}

/** Renders the chart and parses every document; fails the test with helm's stderr if it cannot. */
function render(values: Values = {}): Manifest[] {
  const result = template(values);
  if (result.status !== 0) throw new Error(`helm template failed (exit ${result.status}):\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function only(manifests: Manifest[], kind: string, component?: 'webhook' | 'controller'): Manifest {
  const found = manifests.filter(
    (manifest) =>
      manifest.kind === kind &&
      (component === undefined || manifest.metadata.labels?.['app.kubernetes.io/component'] === component),
  );
  if (found.length !== 1) throw new Error(`expected exactly one ${kind} ${component ?? ''}, found ${found.length}`);
  return found[0]!;
}

function named(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`expected a ${kind} named ${name}`);
  return found;
}

function kinds(manifests: Manifest[]): string[] {
  return manifests.map((manifest) => manifest.kind).sort();
}

function webhookOf(
  manifests: Manifest[],
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration',
): any {
  const configuration = only(manifests, kind);
  expect(configuration.webhooks).toHaveLength(1);
  return configuration.webhooks![0];
}

function pemOf(base64: string | undefined): string {
  if (!base64) throw new Error('expected a base64 value, found none');
  return Buffer.from(base64, 'base64').toString('utf8');
}

const ASMPVLCONFIGS_ONLY = [
  {
    operations: ['CREATE', 'UPDATE'],
    apiGroups: ['istio.alibabacloud.com'],
    apiVersions: ['v1beta1'],
    resources: ['asmpvlconfigs'],
    scope: 'Cluster',
  },
];
const OUT_OF_CLUSTER_URL = 'https://127.0.0.1:9443';
const outOfClusterCA = createCertificateAuthority('asmpvl-chart-test-ca').certificatePem;
const outOfClusterValues = {
  'webhook.url': OUT_OF_CLUSTER_URL,
  'webhook.caBundle': Buffer.from(outOfClusterCA).toString('base64'),
};

beforeAll(() => {
  helmBinary = findHelm();
  helmHome = mkdtempSync(join(tmpdir(), 'asmpvl-chart-test-'));
}, BUILD_TIMEOUT_MS + 10_000);

afterAll(() => {
  if (helmHome) rmSync(helmHome, { recursive: true, force: true });
});

describe('helm lint --strict', () => {
  test.each<[string, Values]>([
    ['default values', {}],
    ['cert-manager', { 'certManager.enabled': true }],
    ['webhook.url', outOfClusterValues],
  ])('passes with %s', (_mode, values) => {
    const result = helm(['lint', '--strict', CHART, '--kube-version', KUBE_VERSION, ...setFlags(values)]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

describe('default mode: in-cluster webhook with a Helm-generated certificate', () => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = render();
  });

  test('renders the webhook, its TLS Secret and both webhook configurations, and nothing from cert-manager', () => {
    expect(kinds(manifests)).toEqual([
      'Deployment',
      'MutatingWebhookConfiguration',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Secret',
      'Service',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
  });

  test.each(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const)(
    '%s matches asmpvlconfigs only, with safe settings',
    (kind) => {
      const webhook = webhookOf(manifests, kind);
      const path = kind === 'MutatingWebhookConfiguration' ? '/mutate' : '/validate';
      expect(webhook).toMatchObject({
        name: `${path.slice(1)}.asmpvlconfigs.istio.alibabacloud.com`,
        rules: ASMPVLCONFIGS_ONLY,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        timeoutSeconds: 5,
        matchPolicy: 'Equivalent',
        clientConfig: { service: { name: SERVICE, namespace: NAMESPACE, port: 443, path } },
      });
      expect(webhook.rules).toEqual(ASMPVLCONFIGS_ONLY);
      expect(webhook.namespaceSelector).toBeUndefined();
      expect(webhook.objectSelector).toBeUndefined();
      expect(webhook.clientConfig.url).toBeUndefined();
      expect(webhook.reinvocationPolicy).toBe(kind === 'MutatingWebhookConfiguration' ? 'Never' : undefined);
    },
  );

  test('the caBundle is the CA that signed the serving certificate, which names the Service', () => {
    const secret = only(manifests, 'Secret');
    const caBundle = webhookOf(manifests, 'MutatingWebhookConfiguration').clientConfig.caBundle;
    expect(webhookOf(manifests, 'ValidatingWebhookConfiguration').clientConfig.caBundle).toBe(caBundle);
    expect(secret.data!['ca.crt']).toBe(caBundle);
    const ca = new X509Certificate(pemOf(caBundle));
    const serving = new X509Certificate(pemOf(secret.data!['tls.crt']));
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkPrivateKey(createPrivateKey(pemOf(secret.data!['tls.key'])))).toBe(true);
    const sans = serving.subjectAltName!.split(', ');
    expect(sans).toEqual(
      expect.arrayContaining([`DNS:${SERVICE}.${NAMESPACE}.svc`, `DNS:${SERVICE}.${NAMESPACE}.svc.cluster.local`]),
    );
    expect(secret).toMatchObject({
      type: 'kubernetes.io/tls',
      metadata: { name: `${SERVICE}-tls`, namespace: NAMESPACE },
    });
  });

  test('the Deployment runs two spread replicas that roll without a gap and probe over HTTPS', () => {
    const deployment = only(manifests, 'Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(pod.topologySpreadConstraints).toEqual([
      expect.objectContaining({
        topologyKey: 'kubernetes.io/hostname',
        maxSkew: 1,
        labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
      }),
    ]);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 100,
        podAffinityTerm: {
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
        },
      },
    ]);
    expect(container.ports).toEqual([{ name: 'https', containerPort: 9443, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(container.command).toEqual(['node', '/app/dist/asmpvl-webhook.cjs']);
    expect(container.args).toEqual([
      '--port=9443',
      '--tls-cert-file=/etc/asmpvl/tls/tls.crt',
      '--tls-private-key-file=/etc/asmpvl/tls/tls.key',
      '--zone-policy=overlap',
      '--log-level=info',
    ]);
    // What scripts/build-image.sh names the image it writes, so a loaded archive needs no registry.
    expect(container.image).toBe('asmpvl:0.1.0');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    // The webhook reloads its certificate files itself: no checksum annotation restarts the pods.
    expect(deployment.spec.template.metadata.annotations).toBeUndefined();
  });

  test('the pod meets Pod Security restricted and has no API access', () => {
    const deployment = only(manifests, 'Deployment');
    const serviceAccount = only(manifests, 'ServiceAccount');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(serviceAccount.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(serviceAccount.metadata.name);
    expect(container.volumeMounts).toEqual([
      { name: 'tls', mountPath: '/etc/asmpvl/tls', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'tls', secret: { secretName: only(manifests, 'Secret').metadata.name, defaultMode: 0o440 } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ]);
  });

  test('the Service sends 443 to the pods on 9443 and the PodDisruptionBudget lets one go at a time', () => {
    const deployment = only(manifests, 'Deployment');
    const service = only(manifests, 'Service');
    const budget = only(manifests, 'PodDisruptionBudget');
    expect(service.metadata.name).toBe(SERVICE);
    expect(service.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(budget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
  });

  test('the NetworkPolicy admits port 9443 only and lets the webhook open nothing', () => {
    const deployment = only(manifests, 'Deployment');
    const policy = only(manifests, 'NetworkPolicy');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: deployment.spec.selector.matchLabels },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 9443, protocol: 'TCP' }] }],
      egress: [],
    });
    // The port the policy opens is the one the container listens on.
    expect(deployment.spec.template.spec.containers[0].ports[0].containerPort).toBe(9443);
  });

  test('every object carries the standard labels', () => {
    for (const manifest of manifests) {
      expect(Object.keys(manifest.metadata.labels ?? {}).sort()).toEqual([
        'app.kubernetes.io/component',
        'app.kubernetes.io/instance',
        'app.kubernetes.io/managed-by',
        'app.kubernetes.io/name',
        'app.kubernetes.io/part-of',
        'app.kubernetes.io/version',
        'helm.sh/chart',
      ]);
    }
  });
});

describe('values reach the webhook configurations and the webhook', () => {
  test('the NetworkPolicy admits only the configured peers, and can be left out', () => {
    const peer = { ipBlock: { cidr: '192.168.0.0/16' } };
    const restricted = render({ 'networkPolicy.webhook.from[0].ipBlock.cidr': peer.ipBlock.cidr });
    expect(only(restricted, 'NetworkPolicy').spec.ingress).toEqual([
      { ports: [{ port: 9443, protocol: 'TCP' }], from: [peer] },
    ]);
    expect(kinds(render({ 'networkPolicy.enabled': false }))).not.toContain('NetworkPolicy');
  });

  test('one replica gets no PodDisruptionBudget, which could only block drains or let one take the only pod', () => {
    const manifests = render({ replicaCount: 1 });
    expect(only(manifests, 'Deployment').spec.replicas).toBe(1);
    expect(kinds(manifests)).not.toContain('PodDisruptionBudget');
  });

  test('priorityClassName, image digest and pull policy reach the pod', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const manifests = render({
      priorityClassName: 'asmpvl-critical',
      'image.repository': 'registry.example/asmpvl',
      'image.digest': digest,
      'image.pullPolicy': 'Always',
    });
    const pod = only(manifests, 'Deployment').spec.template.spec;
    expect(pod.priorityClassName).toBe('asmpvl-critical');
    expect(pod.containers[0]).toMatchObject({ image: `registry.example/asmpvl@${digest}`, imagePullPolicy: 'Always' });
  });

  test('failurePolicy, timeoutSeconds, zonePolicy and logLevel', () => {
    const manifests = render({
      'webhook.failurePolicy': 'Ignore',
      'webhook.timeoutSeconds': 3,
      'webhook.zonePolicy': 'strict',
      'webhook.logLevel': 'debug',
    });
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const) {
      expect(webhookOf(manifests, kind)).toMatchObject({ failurePolicy: 'Ignore', timeoutSeconds: 3 });
    }
    const args: string[] = only(manifests, 'Deployment').spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--zone-policy=strict', '--log-level=debug']));
  });

  test("a plain helm template, without --kube-version, passes the chart's kubeVersion check: the pinned helm knows its Kubernetes version", () => {
    // A helm built without the Kubernetes version ldflags reports v1.20.0 and fails `kubeVersion: >=1.30`.
    const result = helm(['template', RELEASE, CHART, '--namespace', NAMESPACE]);
    expect(result.stderr).not.toContain('incompatible with Kubernetes');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('kind: ValidatingWebhookConfiguration');
  });

  test('two renders without a cluster to look the Secret up in make two different CAs (the helm template caveat)', () => {
    const first = webhookOf(render(), 'ValidatingWebhookConfiguration').clientConfig.caBundle;
    const second = webhookOf(render(), 'ValidatingWebhookConfiguration').clientConfig.caBundle;
    expect(first).not.toBe(second);
  });
});

describe('cert-manager mode', () => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = render({ 'certManager.enabled': true });
  });

  test('renders a self-signed CA chain and the serving Certificate instead of a Secret', () => {
    expect(kinds(manifests)).toEqual([
      'Certificate',
      'Certificate',
      'Deployment',
      'Issuer',
      'Issuer',
      'MutatingWebhookConfiguration',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
    const issuers = manifests.filter((manifest) => manifest.kind === 'Issuer');
    const certificates = manifests.filter((manifest) => manifest.kind === 'Certificate');
    const selfSigned = issuers.find((issuer) => issuer.spec.selfSigned)!;
    const caIssuer = issuers.find((issuer) => issuer.spec.ca)!;
    const caCertificate = certificates.find((certificate) => certificate.spec.isCA)!;
    const serving = certificates.find((certificate) => !certificate.spec.isCA)!;
    expect(caCertificate.spec.issuerRef).toMatchObject({ kind: 'Issuer', name: selfSigned.metadata.name });
    expect(caIssuer.spec.ca.secretName).toBe(caCertificate.spec.secretName);
    expect(serving.spec.issuerRef).toMatchObject({ kind: 'Issuer', name: caIssuer.metadata.name });
    expect(serving.spec.dnsNames).toEqual(
      expect.arrayContaining([`${SERVICE}.${NAMESPACE}.svc`, `${SERVICE}.${NAMESPACE}.svc.cluster.local`]),
    );
    const tlsVolume = only(manifests, 'Deployment').spec.template.spec.volumes.find(
      (volume: { name: string }) => volume.name === 'tls',
    );
    expect(tlsVolume.secret.secretName).toBe(serving.spec.secretName);
  });

  test.each(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const)(
    '%s gets its caBundle injected from the serving Certificate',
    (kind) => {
      const serving = manifests.find((manifest) => manifest.kind === 'Certificate' && !manifest.spec.isCA)!;
      expect(only(manifests, kind).metadata.annotations).toEqual({
        'cert-manager.io/inject-ca-from': `${NAMESPACE}/${serving.metadata.name}`,
      });
      expect(webhookOf(manifests, kind).clientConfig.caBundle).toBeUndefined();
      expect(webhookOf(manifests, kind).rules).toEqual(ASMPVLCONFIGS_ONLY);
    },
  );
});

describe('webhook.url mode: the webhook runs out of cluster', () => {
  test('only the two webhook configurations are rendered, calling <url>/mutate and <url>/validate with the given CA', () => {
    const manifests = render({ ...outOfClusterValues, 'webhook.url': `${OUT_OF_CLUSTER_URL}/` });
    expect(kinds(manifests)).toEqual(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    for (const [kind, path] of [
      ['MutatingWebhookConfiguration', '/mutate'],
      ['ValidatingWebhookConfiguration', '/validate'],
    ] as const) {
      const webhook = webhookOf(manifests, kind);
      expect(webhook.clientConfig).toEqual({
        url: `${OUT_OF_CLUSTER_URL}${path}`,
        caBundle: outOfClusterValues['webhook.caBundle'],
      });
      expect(webhook.rules).toEqual(ASMPVLCONFIGS_ONLY);
      expect(webhook).toMatchObject({
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        timeoutSeconds: 5,
      });
      expect(only(manifests, kind).metadata.annotations).toBeUndefined();
    }
  });
});

const ASM_NODE_ADDRESS = '192.168.0.10';
const asmPodsValues: Values = {
  'asm.side': 'pods',
  'webhook.service.type': 'NodePort',
  'webhook.service.nodePort': 30443,
  'webhook.tls.ipAddresses[0]': ASM_NODE_ADDRESS,
  'webhook.tls.extraDnsNames[0]': 'asmpvl-webhook.example.internal',
  'controller.enabled': true,
  'controller.kubeconfig.secretName': 'asm-kubeconfig',
};
const asmApiServerValues: Values = {
  'asm.side': 'apiserver',
  'webhook.url': `https://${ASM_NODE_ADDRESS}:30443`,
  'webhook.caBundle': outOfClusterValues['webhook.caBundle'],
  'controller.enabled': true,
  'asm.controllerSubjects[0].kind': 'User',
  'asm.controllerSubjects[0].name': 'asmpvl-controller',
  'asm.controllerSubjects[0].apiGroup': 'rbac.authorization.k8s.io',
};

describe('an install for an ASM instance: the pod side and the API server side', () => {
  test('the pod side runs the pods, exposes the webhook on its NodePort and renders nothing for asmpvlconfigs', () => {
    const manifests = render(asmPodsValues);
    expect(kinds(manifests)).toEqual([
      'Deployment',
      'Deployment',
      'NetworkPolicy',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'PodDisruptionBudget',
      'Secret',
      'Service',
      'Service',
      'ServiceAccount',
      'ServiceAccount',
    ]);
    const service = named(manifests, 'Service', SERVICE);
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP', nodePort: 30443 },
    ]);
    const serving = new X509Certificate(pemOf(only(manifests, 'Secret').data!['tls.crt']));
    expect(serving.subjectAltName).toContain(`IP Address:${ASM_NODE_ADDRESS}`);
    expect(serving.subjectAltName).toContain('DNS:asmpvl-webhook.example.internal');
    expect(serving.subjectAltName).toContain(`DNS:${SERVICE}.${NAMESPACE}.svc`);
    const controller = named(manifests, 'Deployment', CONTROLLER);
    expect(controller.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('the API server side is the webhook configurations by URL and the controller RBAC for its kubeconfig identity, nothing else', () => {
    const manifests = render(asmApiServerValues);
    expect(kinds(manifests)).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'MutatingWebhookConfiguration',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'ValidatingWebhookConfiguration',
    ]);
    expect(webhookOf(manifests, 'ValidatingWebhookConfiguration').clientConfig).toEqual({
      url: `https://${ASM_NODE_ADDRESS}:30443/validate`,
      caBundle: outOfClusterValues['webhook.caBundle'],
    });
    for (const binding of manifests.filter((manifest) => manifest.kind.endsWith('Binding'))) {
      expect(binding.subjects).toEqual([
        { kind: 'User', name: 'asmpvl-controller', apiGroup: 'rbac.authorization.k8s.io' },
      ]);
    }
  });

  test('the pod side’s CA is what the API server side trusts: one values file, rendered twice', () => {
    const pods = render(asmPodsValues);
    const ca = only(pods, 'Secret').data!['ca.crt']!;
    const apiServer = render({ ...asmApiServerValues, 'webhook.caBundle': ca });
    const serving = new X509Certificate(pemOf(only(pods, 'Secret').data!['tls.crt']));
    expect(serving.verify(new X509Certificate(pemOf(ca)).publicKey)).toBe(true);
    expect(webhookOf(apiServer, 'MutatingWebhookConfiguration').clientConfig.caBundle).toBe(ca);
  });

  test('an existing TLS Secret is mounted instead of a generated one, and its CA comes from webhook.caBundle', () => {
    const manifests = render({
      'webhook.tls.existingSecret': 'my-webhook-tls',
      'webhook.caBundle': outOfClusterValues['webhook.caBundle'],
    });
    expect(manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    const volumes = only(manifests, 'Deployment').spec.template.spec.volumes as Array<{
      secret?: { secretName: string };
    }>;
    expect(volumes.map((volume) => volume.secret?.secretName)).toContain('my-webhook-tls');
    expect(webhookOf(manifests, 'ValidatingWebhookConfiguration').clientConfig.caBundle).toBe(
      outOfClusterValues['webhook.caBundle'],
    );
  });
});

describe('values the chart refuses', () => {
  test.each<[string, Values, string]>([
    ['a misspelt key', { 'webhook.failurPolicy': 'Ignore' }, "additional properties 'failurPolicy' not allowed"],
    ['a misspelt top-level key', { replicas: 3 }, "additional properties 'replicas' not allowed"],
    ['an unknown zone policy', { 'webhook.zonePolicy': 'loose' }, "value must be one of 'overlap', 'strict'"],
    ['a timeout above 30 s', { 'webhook.timeoutSeconds': 31 }, '/webhook/timeoutSeconds'],
    [
      'a plain-HTTP webhook URL',
      { 'webhook.url': 'http://127.0.0.1:9443', 'webhook.caBundle': outOfClusterValues['webhook.caBundle'] },
      '/webhook/url',
    ],
    [
      'webhook.url without caBundle',
      { 'webhook.url': OUT_OF_CLUSTER_URL },
      'webhook.url is set but webhook.caBundle is empty',
    ],
    [
      'a caBundle that decodes to no PEM certificate',
      { ...outOfClusterValues, 'webhook.caBundle': Buffer.from('not a certificate').toString('base64') },
      'does not decode to a PEM certificate',
    ],
    [
      'caBundle without webhook.url',
      { 'webhook.caBundle': outOfClusterValues['webhook.caBundle'] },
      'webhook.caBundle is only used with webhook.url',
    ],
    [
      'the API server side without webhook.url',
      { 'asm.side': 'apiserver' },
      'asm.side=apiserver renders the webhook configurations for the ASM instance',
    ],
    [
      'the API server side with the controller but no subjects',
      Object.fromEntries(
        Object.entries(asmApiServerValues).filter(([key]) => !key.startsWith('asm.controllerSubjects')),
      ),
      'set asm.controllerSubjects',
    ],
    [
      'the pod side with the controller but no kubeconfig for the ASM instance',
      { 'asm.side': 'pods', 'controller.enabled': true },
      'set controller.kubeconfig.secretName',
    ],
    ['an unknown side', { 'asm.side': 'both' }, '/asm/side'],
    ['a node port out of range', { 'webhook.service.nodePort': 80 }, '/webhook/service/nodePort'],
    [
      'an existing TLS Secret without its CA',
      { 'webhook.tls.existingSecret': 'my-webhook-tls' },
      'webhook.tls.existingSecret is set but webhook.caBundle is empty',
    ],
    [
      'webhook.url together with cert-manager',
      { ...outOfClusterValues, 'certManager.enabled': true },
      'certManager.enabled and webhook.url exclude each other',
    ],
  ])('%s', (_what, values, message) => {
    const result = template(values);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe('controller mode (controller.enabled)', () => {
  const controllerValues: Values = { 'controller.enabled': true };
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = render(controllerValues);
  });

  test('is off by default, and on adds its Deployment, RBAC, ServiceAccount, budget, NetworkPolicy and metrics Service', () => {
    expect(render().filter((m) => m.metadata.labels?.['app.kubernetes.io/component'] === 'controller')).toEqual([]);
    const controllerKinds = manifests
      .filter((manifest) => manifest.metadata.labels?.['app.kubernetes.io/component'] === 'controller')
      .map((manifest) => manifest.kind)
      .sort();
    expect(controllerKinds).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    for (const manifest of manifests) {
      expect(Object.keys(manifest.metadata.labels ?? {}).sort()).toEqual([
        'app.kubernetes.io/component',
        'app.kubernetes.io/instance',
        'app.kubernetes.io/managed-by',
        'app.kubernetes.io/name',
        'app.kubernetes.io/part-of',
        'app.kubernetes.io/version',
        'helm.sh/chart',
      ]);
    }
  });

  test('the Deployment runs two replicas of the shared image with the flags of the controller contract', () => {
    const deployment = only(manifests, 'Deployment', 'controller');
    const webhook = only(manifests, 'Deployment', 'webhook');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.metadata.name).toBe(CONTROLLER);
    expect(deployment.spec.replicas).toBe(2);
    expect(container.image).toBe(webhook.spec.template.spec.containers[0].image);
    expect(container.command).toEqual(['node', '/app/dist/asmpvl-controller.cjs']);
    expect(container.args).toEqual([
      '--resync-period=10m',
      '--max-reconcile-wait=30s',
      '--leader-elect=true',
      `--leader-election-namespace=${NAMESPACE}`,
      '--leader-election-id=asmpvl-controller',
      '--lease-duration=15s',
      '--renew-deadline=10s',
      '--retry-period=2s',
      '--health-probe-bind-address=:8081',
      '--metrics-bind-address=:8080',
      '--zap-log-level=info',
    ]);
    expect(container.env).toEqual([
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);
    expect(container.ports).toEqual([
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '256Mi' },
    });
    // SIGTERM: the controller cancels, writes status and releases the Lease within this.
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(pod.serviceAccountName).toBe(only(manifests, 'ServiceAccount', 'controller').metadata.name);
    // It talks to this cluster's API server, so it gets its token.
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(deployment.spec.selector.matchLabels).not.toEqual(webhook.spec.selector.matchLabels);
    expect(pod.topologySpreadConstraints).toEqual([
      expect.objectContaining({
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
      }),
    ]);
  });

  test('the pod meets Pod Security restricted with a read-only root filesystem', () => {
    const pod = only(manifests, 'Deployment', 'controller').spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  test('RBAC grants exactly what the controller contract lists: asmpvlconfigs, status, finalizers; events in default only; leases in its namespace', () => {
    const clusterRole = only(manifests, 'ClusterRole');
    expect(clusterRole.rules).toEqual([
      {
        apiGroups: ['istio.alibabacloud.com'],
        resources: ['asmpvlconfigs'],
        verbs: ['get', 'list', 'watch', 'update', 'patch'],
      },
      { apiGroups: ['istio.alibabacloud.com'], resources: ['asmpvlconfigs/status'], verbs: ['get', 'update', 'patch'] },
      { apiGroups: ['istio.alibabacloud.com'], resources: ['asmpvlconfigs/finalizers'], verbs: ['update'] },
    ]);
    const role = named(manifests, 'Role', `${CONTROLLER}-leader-election`);
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(role.rules).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
      },
    ]);
    const subject = { kind: 'ServiceAccount', name: CONTROLLER, namespace: NAMESPACE };
    expect(only(manifests, 'ClusterRoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata.name },
      subjects: [subject],
    });
    expect(named(manifests, 'RoleBinding', `${CONTROLLER}-leader-election`)).toMatchObject({
      metadata: { namespace: NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subjects: [subject],
    });
    // Events about the cluster-scoped object: created, read back and patched when they repeat, in default only.
    const events = named(manifests, 'Role', `${CONTROLLER}-events`);
    expect(events.metadata.namespace).toBe('default');
    expect(events.rules).toEqual([{ apiGroups: [''], resources: ['events'], verbs: ['create', 'get', 'patch'] }]);
    expect(named(manifests, 'RoleBinding', `${CONTROLLER}-events`)).toMatchObject({
      metadata: { namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: events.metadata.name },
      subjects: [subject],
    });
  });

  test('the PodDisruptionBudget keeps one pod with two replicas, and one replica gets none', () => {
    const deployment = only(manifests, 'Deployment', 'controller');
    expect(only(manifests, 'PodDisruptionBudget', 'controller').spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: deployment.spec.selector.matchLabels },
    });
    const single = render({ ...controllerValues, 'controller.replicaCount': 1 });
    expect(only(single, 'Deployment', 'controller').spec.replicas).toBe(1);
    expect(single.filter((m) => m.kind === 'PodDisruptionBudget').map((m) => m.metadata.name)).toEqual([SERVICE]);
  });

  test('the NetworkPolicy admits the health and metrics ports only and lets it reach DNS, the API servers, the cloud and ECS metadata', () => {
    const policy = only(manifests, 'NetworkPolicy', 'controller');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: only(manifests, 'Deployment', 'controller').spec.selector.matchLabels },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          ports: [
            { port: 8081, protocol: 'TCP' },
            { port: 8080, protocol: 'TCP' },
          ],
        },
      ],
      egress: [
        {
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        {
          ports: [
            { port: 443, protocol: 'TCP' },
            { port: 6443, protocol: 'TCP' },
          ],
        },
        { to: [{ ipBlock: { cidr: '100.100.100.200/32' } }], ports: [{ port: 80, protocol: 'TCP' }] },
      ],
    });
  });

  test('cloud credentials from a Secret become the ALIBABA_CLOUD_* variables, the security token optional', () => {
    const env = only(
      render({ ...controllerValues, 'controller.credentials.secretName': 'asmpvl-cloud' }),
      'Deployment',
      'controller',
    ).spec.template.spec.containers[0].env;
    const fromSecret = (name: string, optional?: boolean) => ({
      name,
      valueFrom: { secretKeyRef: { name: 'asmpvl-cloud', key: name, ...(optional ? { optional } : {}) } },
    });
    expect(env.slice(2)).toEqual([
      fromSecret('ALIBABA_CLOUD_ACCESS_KEY_ID'),
      fromSecret('ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
      fromSecret('ALIBABA_CLOUD_SECURITY_TOKEN', true),
    ]);
  });

  test('RRSA annotates the ServiceAccount for ack-pod-identity-webhook and puts no key in the pod', () => {
    const rendered = render({
      ...controllerValues,
      'controller.rrsa.roleName': 'asmpvl-controller-role',
      'controller.region': 'cn-hangzhou',
      'controller.meshId': 'c0123456789abcdef',
    });
    expect(only(rendered, 'ServiceAccount', 'controller').metadata.annotations).toEqual({
      'pod-identity.alibabacloud.com/role-name': 'asmpvl-controller-role',
    });
    const container = only(rendered, 'Deployment', 'controller').spec.template.spec.containers[0];
    expect(container.env.map((variable: { name: string }) => variable.name)).toEqual(['POD_NAMESPACE', 'POD_NAME']);
    expect(container.args).toEqual(expect.arrayContaining(['--region=cn-hangzhou', '--mesh-id=c0123456789abcdef']));
  });

  test('a kubeconfig Secret points the controller at another API server, with no service account token', () => {
    const rendered = render({
      ...controllerValues,
      'controller.kubeconfig.secretName': 'asm-kubeconfig',
      'controller.kubeconfig.context': 'asm',
      'controller.leaderElection.namespace': 'asmpvl-leases',
    });
    const pod = only(rendered, 'Deployment', 'controller').spec.template.spec;
    const container = pod.containers[0];
    expect(container.args.slice(0, 2)).toEqual(['--kubeconfig=/etc/asmpvl/kubeconfig/kubeconfig', '--context=asm']);
    expect(container.args).toContain('--leader-election-namespace=asmpvl-leases');
    expect(container.volumeMounts).toContainEqual({
      name: 'kubeconfig',
      mountPath: '/etc/asmpvl/kubeconfig',
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: 'kubeconfig',
      secret: { secretName: 'asm-kubeconfig', defaultMode: 0o440 },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(named(rendered, 'Role', `${CONTROLLER}-leader-election`).metadata.namespace).toBe('asmpvl-leases');
    expect(named(rendered, 'RoleBinding', `${CONTROLLER}-leader-election`).metadata.namespace).toBe('asmpvl-leases');
  });

  test('runs beside an out-of-cluster webhook too', () => {
    const rendered = render({ ...controllerValues, ...outOfClusterValues });
    expect(kinds(rendered)).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'MutatingWebhookConfiguration',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
  });

  test.each<[string, Values, string]>([
    [
      'a Secret and an RRSA role at once',
      { 'controller.credentials.secretName': 'a', 'controller.rrsa.roleName': 'b' },
      'controller.credentials.secretName and controller.rrsa.roleName exclude each other',
    ],
    ['a resync period that is no duration', { 'controller.resyncPeriod': 'ten minutes' }, '/controller/resyncPeriod'],
    ['a misspelt controller key', { 'controller.replicas': 3 }, "additional properties 'replicas' not allowed"],
  ])('refuses %s', (_what, values, message) => {
    const result = template({ ...controllerValues, ...values });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
