/**
 * The chart as users install it: `helm install charts/asmpvl` with the controller on, into a
 * one-node cluster (kubelet, containerd, runc, bridge CNI, kube-proxy in iptables mode) that runs
 * in a network namespace of its own with no route out. The webhook and the controller run as pods
 * from the project's image; the cloud is the emulator, started inside the same namespace and
 * reached by the pods at the node's address.
 *
 * Then the shape of a real ASM install: a second, node-less API server in the same namespace plays
 * the ASM instance, with the vendor's CRD already in it (a schema of the resource's contract alone,
 * which prunes asmpvl's fields). The chart's pod side runs the webhook (on a NodePort) and the
 * controller (through a kubeconfig Secret) in the node cluster; its API server side (webhook
 * configurations by URL, the controller's RBAC) is `helm template`d into the ASM instance; the story
 * is walked against it: validation at apply, converge, repair, delete.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { configForWorld } from '../e2e/controller-sandbox';
import { TWO_CLUSTERS_WORLD, type EmulatorState, type World } from '../emulator';
import { loadFixture } from '../fixtures';
import {
  type AsmApiServer,
  bootNodeCluster,
  eventually,
  mustSucceed,
  NODE_IP,
  REPO,
  type NodeCluster,
  type SealedEmulator,
} from './harness';

const NAMESPACE = 'asmpvl-system';
const RELEASE = 'asmpvl';
const WEBHOOK_SERVICE = `${RELEASE}-webhook`;
const EMULATOR_PORT = 443;
const WORLD = JSON.parse(readFileSync(TWO_CLUSTERS_WORLD, 'utf8')) as World;
const [FIRST, SECOND] = WORLD.clusters.map((candidate) => candidate.clusterId) as [string, string];
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
/** What scripts/build-image.sh writes (npm run test:cluster runs it first). */
const IMAGE_ARCHIVE = join(REPO, 'dist', 'image', `asmpvl-${VERSION}.tar`);

interface Pod {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  status: {
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ name: string; ready: boolean; restartCount: number; containerID?: string }>;
  };
}

let cluster: NodeCluster;
let emulator: SealedEmulator;
let asm: AsmApiServer;
const timings: Record<string, number> = {};

let bin = '';
/** The directory of the pinned binaries, built on first use (`build.sh --node` is a no-op when cached). */
function binDir(): string {
  bin ||= execFileSync('bash', [join(REPO, 'test', 'e2e', 'tools', 'build.sh'), '--node'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 3_600_000,
  })
    .trim()
    .split('\n')
    .pop()!;
  return bin;
}

const kubectl = (args: string[], input?: string) =>
  cluster.run(join(binDir(), 'kubectl'), args, { input, timeoutMs: 120_000 });
const helm = (args: string[]) => cluster.run(join(binDir(), 'helm'), args, { timeoutMs: 600_000 });

async function pods(component: string): Promise<Pod[]> {
  const result = mustSucceed(
    await kubectl(['get', 'pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/component=${component}`, '-o', 'json']),
    'kubectl get pods',
  );
  return (JSON.parse(result.stdout) as { items: Pod[] }).items.filter((pod) => !pod.metadata.deletionTimestamp);
}

const ready = (pod: Pod) => pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The pod whose controller holds the Lease (identities are <pod name>_<8 hex digits>), or ''. */
async function leaseHolder(): Promise<string> {
  const result = mustSucceed(
    await kubectl(['get', 'lease', '-n', NAMESPACE, 'asmpvl-controller', '-o', 'jsonpath={.spec.holderIdentity}']),
    'kubectl get lease',
  );
  return result.stdout.trim().replace(/_[0-9a-f]{8}$/, '');
}

/** What is left in the emulated cloud that is not on its way out. */
async function liveCloudResources(): Promise<{ endpointServices: number; endpoints: number }> {
  const state = (await cluster.emulatorState(EMULATOR_PORT)) as EmulatorState;
  return {
    endpointServices: state.endpointServices.filter((service) => service.serviceStatus !== 'Deleting').length,
    endpoints: state.endpoints.filter((endpoint) => endpoint.endpointStatus !== 'Deleting').length,
  };
}

/** Packet counts of kube-proxy's DNAT rules for a Service port, by the pod address they send to. */
async function serviceDnatPackets(service: string, port: string): Promise<Map<string, number>> {
  const rules = mustSucceed(await cluster.run('iptables-save', ['-c', '-t', 'nat']), 'iptables-save').stdout;
  const packets = new Map<string, number>();
  for (const line of rules.split('\n')) {
    if (!line.includes(`"${NAMESPACE}/${service}:${port}"`)) continue;
    const match = /^\[(\d+):\d+\].*--to-destination ([\d.]+):\d+/.exec(line);
    if (match) packets.set(match[2]!, Number(match[1]));
  }
  return packets;
}

/** uid and root-filesystem mount options of a container's main process, read from /proc. */
function processOf(containerId: string): { uid: string; rootOptions: string } {
  const state = JSON.parse(
    execFileSync('runc', ['--root', join(cluster.dir, 'runc', 'k8s.io'), 'state', containerId], { encoding: 'utf8' }),
  ) as { pid: number };
  const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${state.pid}/status`, 'utf8'))![1]!;
  const root = readFileSync(`/proc/${state.pid}/mountinfo`, 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[4] === '/')!;
  return { uid, rootOptions: root[5]! };
}

async function expectPodsHardened(component: string, count: number): Promise<void> {
  const running = await pods(component);
  expect(running).toHaveLength(count);
  for (const pod of running) {
    expect({ pod: pod.metadata.name, ready: ready(pod) }).toEqual({ pod: pod.metadata.name, ready: true });
    for (const status of pod.status.containerStatuses ?? []) {
      const process = processOf(status.containerID!.replace('containerd://', ''));
      expect({ pod: pod.metadata.name, uid: process.uid, restarts: status.restartCount }).toEqual({
        pod: pod.metadata.name,
        uid: '65532',
        restarts: 0,
      });
      expect(process.rootOptions.split(',')).toContain('ro');
    }
  }
}

beforeAll(async () => {
  const started = Date.now();
  cluster = await bootNodeCluster(binDir());
  timings.clusterUpSeconds = cluster.bootSeconds;
  const [imported, asmServer] = await Promise.all([cluster.importImage(IMAGE_ARCHIVE), cluster.startAsmApiServer()]);
  mustSucceed(imported, 'ctr images import');
  asm = asmServer;
  timings.asmApiServerUpSeconds = asm.bootSeconds;
  emulator = await cluster.startEmulator(EMULATOR_PORT);
  timings.setupSeconds = Math.round((Date.now() - started) / 1000);
}, 1_800_000);

afterAll(async () => {
  process.stdout.write(`cluster timings (s): ${JSON.stringify(timings)}\n`);
  await cluster?.down();
}, 180_000);

describe('the chart installed in a real cluster', () => {
  test('the namespace is sealed: no default route, only the interfaces the test made', async () => {
    const routes = mustSucceed(await cluster.run('ip', ['route', 'show', 'default']), 'ip route').stdout;
    const routes6 = mustSucceed(await cluster.run('ip', ['-6', 'route', 'show', 'default']), 'ip -6 route').stdout;
    expect(routes + routes6).toBe('');
    const links = mustSucceed(await cluster.run('ip', ['-o', 'link', 'show']), 'ip link').stdout;
    const names = links
      .trim()
      .split('\n')
      .map((line) => line.split(': ')[1]!.split('@')[0]!);
    for (const name of names) expect(name).toMatch(/^(lo|node0|node0-peer|cni0|veth[0-9a-f]+)$/);
  });

  test('helm install with the controller: webhook and controller pods become Ready', async () => {
    const started = Date.now();
    mustSucceed(await kubectl(['create', 'namespace', NAMESPACE]), 'kubectl create namespace');
    mustSucceed(
      await kubectl([
        'create',
        'secret',
        'generic',
        'asmpvl-cloud',
        '-n',
        NAMESPACE,
        `--from-literal=ALIBABA_CLOUD_ACCESS_KEY_ID=${emulator.accessKeyId}`,
        `--from-literal=ALIBABA_CLOUD_ACCESS_KEY_SECRET=${emulator.accessKeySecret}`,
      ]),
      'kubectl create secret',
    );
    mustSucceed(
      await helm([
        'install',
        RELEASE,
        join(REPO, 'charts', 'asmpvl'),
        '-n',
        NAMESPACE,
        '--set',
        'controller.enabled=true',
        '--set-string',
        'controller.credentials.secretName=asmpvl-cloud',
        '--set-string',
        `controller.region=${emulator.regionId}`,
        '--set-string',
        `controller.cloudEndpoint=${emulator.url}`,
        // The emulator speaks plain HTTP, on an address that exists only inside the sealed namespace.
        '--set',
        'controller.allowInsecureCloudEndpoint=true',
        '--wait',
        '--timeout',
        '5m',
      ]),
      'helm install',
    );
    timings.helmInstallSeconds = Math.round((Date.now() - started) / 1000);
    expect((await pods('webhook')).filter(ready)).toHaveLength(2);
    expect((await pods('controller')).filter(ready)).toHaveLength(2);
  }, 600_000);

  test('the webhook Service sends to both webhook pods', async () => {
    const podIps = (await pods('webhook')).map((pod) => pod.status.podIP!).sort();
    const slices = mustSucceed(
      await kubectl([
        'get',
        'endpointslices',
        '-n',
        NAMESPACE,
        '-l',
        `kubernetes.io/service-name=${WEBHOOK_SERVICE}`,
        '-o',
        'jsonpath={.items[*].endpoints[*].addresses[*]}',
      ]),
      'kubectl get endpointslices',
    ).stdout;
    expect(slices.trim().split(/\s+/).sort()).toEqual(podIps);
    expect([...(await serviceDnatPackets(WEBHOOK_SERVICE, 'https')).keys()].sort()).toEqual(podIps);
  }, 60_000);

  test('the API server calls the webhook through its Service: an invalid object is denied with our message', async () => {
    const before = await serviceDnatPackets(WEBHOOK_SERVICE, 'https');
    // Zones that do not pair: only the webhook knows this rule (the CRD's own schema admits it).
    const denied = await kubectl(['apply', '-f', '-'], stringify(loadFixture('invalid/vendor-example.yaml')));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(
      /admission webhook "[^"]*validate[^"]*" denied the request: ASMPvlConfig "default" is invalid: spec\.ackVpcEndpoint\[0\]\.vSwitches: /,
    );
    expect(denied.stderr).toContain('only in zone cn-hangzhou-j and the ASM vSwitches are only in zone cn-hangzhou-i');
    // The first review opens the API server's connection to the Service: kube-proxy's DNAT for it
    // counted packets to a webhook pod.
    const after = await serviceDnatPackets(WEBHOOK_SERVICE, 'https');
    const sent = [...after].reduce((sum, [ip, packets]) => sum + packets - (before.get(ip) ?? 0), 0);
    expect(sent).toBeGreaterThan(0);
  }, 120_000);

  test('a valid object is defaulted by the mutating webhook', async () => {
    const object = JSON.parse(configForWorld(WORLD, [FIRST])) as {
      spec: { ackVpcEndpoint: Array<{ clusterId: string }>; sanSync?: string };
    };
    // The CRD allows only lower case: the object is admitted because the mutating webhook fixes it.
    object.spec.ackVpcEndpoint[0]!.clusterId = FIRST.toUpperCase();
    const result = mustSucceed(
      await kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(object)),
      'kubectl apply --dry-run=server',
    );
    const stored = JSON.parse(result.stdout) as typeof object;
    expect(stored.spec.ackVpcEndpoint[0]!.clusterId).toBe(FIRST);
    expect(stored.spec.sanSync).toBe('Enabled');
  }, 60_000);

  test('two controller pods run and exactly one leads', async () => {
    const names = (await pods('controller')).map((pod) => pod.metadata.name);
    expect(names).toHaveLength(2);
    const holder = await eventually(async () => {
      const current = await leaseHolder();
      if (current === '') throw new Error('no controller holds the lease');
      return current;
    }, 60_000);
    expect(names).toContain(holder);
  }, 90_000);

  test('kubectl apply alone converges to Ready against the emulator inside the namespace', async () => {
    const started = Date.now();
    mustSucceed(await kubectl(['apply', '-f', '-'], configForWorld(WORLD, [FIRST])), 'kubectl apply');
    mustSucceed(
      await cluster.run(
        join(binDir(), 'kubectl'),
        ['wait', '--for=condition=Ready', 'asmpvlconfig/default', '--timeout=300s'],
        { timeoutMs: 320_000 },
      ),
      'kubectl wait --for=condition=Ready',
    );
    timings.convergeSeconds = Math.round((Date.now() - started) / 1000);
    const status = mustSucceed(
      await kubectl(['get', 'asmpvlconfig', 'default', '-o', 'jsonpath={.status.status}']),
      'kubectl get asmpvlconfig',
    ).stdout;
    expect(status).toBe('Available');
    expect((await liveCloudResources()).endpoints).toBeGreaterThan(0);
  }, 330_000);

  test('the leader pod deleted: the other takes over, and a spec change still converges', async () => {
    const leader = await leaseHolder();
    mustSucceed(await kubectl(['delete', 'pod', '-n', NAMESPACE, leader, '--wait=false']), 'kubectl delete pod');
    const successor = await eventually(async () => {
      const holder = await leaseHolder();
      if (holder === leader || holder === '') throw new Error(`the lease is still held by ${holder || 'no one'}`);
      return holder;
    }, 120_000);
    expect(successor).not.toBe(leader);
    const before = (await liveCloudResources()).endpoints;
    mustSucceed(await kubectl(['apply', '-f', '-'], configForWorld(WORLD, [FIRST, SECOND])), 'kubectl apply');
    await eventually(
      async () => {
        const generation = await kubectl([
          'get',
          'asmpvlconfig',
          'default',
          '-o',
          'jsonpath={.metadata.generation} {.status.observedGeneration} {.status.status}',
        ]);
        const [wanted, observed, status] = generation.stdout.trim().split(' ');
        expect({ observed, status }).toEqual({ observed: wanted, status: 'Available' });
      },
      300_000,
      2_000,
    );
    expect((await liveCloudResources()).endpoints).toBeGreaterThan(before);
  }, 480_000);

  test('a helm upgrade rolling both Deployments fails no admission review', async () => {
    const probe = configForWorld(WORLD, [FIRST, SECOND]);
    let rolling = true;
    let calls = 0;
    const failures: string[] = [];
    const loop = (async () => {
      while (rolling) {
        const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], probe);
        calls += 1;
        if (result.code !== 0) failures.push(result.stderr.trim());
      }
    })();
    const started = Date.now();
    const upgraded = await helm([
      'upgrade',
      RELEASE,
      join(REPO, 'charts', 'asmpvl'),
      '-n',
      NAMESPACE,
      '--reuse-values',
      '--set-string',
      'podAnnotations.rollout=2',
      '--set-string',
      'controller.podAnnotations.rollout=2',
      '--wait',
      '--timeout',
      '5m',
    ]);
    rolling = false;
    await loop;
    timings.helmUpgradeSeconds = Math.round((Date.now() - started) / 1000);
    mustSucceed(upgraded, 'helm upgrade');
    expect(calls).toBeGreaterThan(5);
    expect(failures).toEqual([]);
    timings.reviewsDuringUpgrade = calls;
  }, 600_000);

  test('every pod runs as 65532 with a read-only root, passing probes and zero restarts', async () => {
    await eventually(() => expectPodsHardened('webhook', 2), 120_000);
    await eventually(() => expectPodsHardened('controller', 2), 120_000);
  }, 300_000);

  test('kubectl delete of the object cleans the cloud', async () => {
    mustSucceed(
      await cluster.run(
        join(binDir(), 'kubectl'),
        ['delete', 'asmpvlconfig', 'default', '--wait=true', '--timeout=300s'],
        { timeoutMs: 320_000 },
      ),
      'kubectl delete asmpvlconfig',
    );
    expect(await liveCloudResources()).toEqual({ endpointServices: 0, endpoints: 0 });
  }, 330_000);

  test('helm uninstall leaves no pods and no webhook configurations', async () => {
    mustSucceed(await helm(['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '3m']), 'helm uninstall');
    await eventually(async () => {
      expect(await pods('webhook')).toEqual([]);
      expect(await pods('controller')).toEqual([]);
    }, 120_000);
    for (const kind of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']) {
      const left = mustSucceed(await kubectl(['get', kind, '-o', 'name']), `kubectl get ${kind}`).stdout;
      expect(left.trim()).toBe('');
    }
  }, 240_000);
});

// ---- the ASM shape ----------------------------------------------------------------------------------

const ASM_RELEASE = 'asmpvl-asm';
const ASM_WEBHOOK_NODE_PORT = 30443;
const VENDOR_CRD = readFileSync(join(REPO, 'test', 'e2e', 'fixtures', 'vendor-asmpvlconfig-crd.yaml'), 'utf8');
const KEPT_STATUS = 'asmpvl.io/status';

/** kubectl against the ASM instance's API server, as its admin. */
const asmKubectl = (args: string[], input?: string, timeoutMs = 120_000) =>
  cluster.run(join(binDir(), 'kubectl'), ['--kubeconfig', asm.adminKubeconfig, ...args], { input, timeoutMs });

/** The pod side of the install, in the node cluster: what the chart README's ASM section says. */
function asmPodSideValues(): string[] {
  return [
    '--set-string',
    'asm.side=pods',
    '--set-string',
    'webhook.service.type=NodePort',
    '--set',
    `webhook.service.nodePort=${ASM_WEBHOOK_NODE_PORT}`,
    '--set-string',
    `webhook.tls.ipAddresses[0]=${NODE_IP}`,
    '--set',
    'controller.enabled=true',
    '--set-string',
    'controller.kubeconfig.secretName=asm-kubeconfig',
    '--set-string',
    'controller.credentials.secretName=asmpvl-cloud',
    '--set-string',
    `controller.region=${emulator.regionId}`,
    '--set-string',
    `controller.cloudEndpoint=${emulator.url}`,
    '--set',
    'controller.allowInsecureCloudEndpoint=true',
    // Drift made behind the controller's back is repaired at the next resync: short, for the test.
    '--set-string',
    'controller.resyncPeriod=5s',
  ];
}

/** The API server side: rendered in the node cluster's namespace, applied to the ASM instance. */
function asmApiServerValues(caBundle: string): string[] {
  return [
    '--set-string',
    'asm.side=apiserver',
    '--set-string',
    `webhook.url=https://${NODE_IP}:${ASM_WEBHOOK_NODE_PORT}`,
    '--set-string',
    `webhook.caBundle=${caBundle}`,
    '--set',
    'controller.enabled=true',
    '--set-string',
    'asm.controllerSubjects[0].kind=User',
    '--set-string',
    'asm.controllerSubjects[0].name=asmpvl-controller',
    '--set-string',
    'asm.controllerSubjects[0].apiGroup=rbac.authorization.k8s.io',
  ];
}

/** The object a user applies to the vendor's CRD: asmpvl's spec choices as annotations, not spec fields. */
function vendorConfig(clusters: string[]): string {
  const object = JSON.parse(configForWorld(WORLD, clusters)) as {
    metadata: { annotations: Record<string, string> };
    spec: Record<string, unknown>;
  };
  delete object.spec.deletionPolicy;
  delete object.spec.sanSync;
  return JSON.stringify(object);
}

interface StoredAsmConfig {
  metadata: { generation: number; annotations?: Record<string, string> };
  status?: { status?: string; conditions?: unknown; observedGeneration?: number };
}

async function asmConfig(): Promise<StoredAsmConfig> {
  return JSON.parse(
    mustSucceed(await asmKubectl(['get', 'asmpvlconfig', 'default', '-o', 'json']), 'kubectl get asmpvlconfig (ASM)')
      .stdout,
  ) as StoredAsmConfig;
}

let asmApiServerSide = '';

describe('the ASM shape: CRD and webhook configurations in a node-less API server, pods in the node cluster', () => {
  test('the ASM instance runs the vendor CRD, which prunes asmpvl fields', async () => {
    mustSucceed(await asmKubectl(['apply', '-f', '-'], VENDOR_CRD), 'kubectl apply of the vendor CRD (ASM)');
    mustSucceed(
      await asmKubectl(['wait', '--for=condition=Established', 'crd/asmpvlconfigs.istio.alibabacloud.com']),
      'kubectl wait (ASM)',
    );
    const labels = mustSucceed(
      await asmKubectl(['get', 'crd', 'asmpvlconfigs.istio.alibabacloud.com', '-o', 'jsonpath={.metadata.labels}']),
      'kubectl get crd (ASM)',
    ).stdout;
    expect(labels).not.toContain('asmpvl');
    // The Lease lives where the object does, in the release's namespace there.
    mustSucceed(await asmKubectl(['create', 'namespace', NAMESPACE]), 'kubectl create namespace (ASM)');
  }, 120_000);

  test('the pod side installs in the node cluster and the API server side applies to the ASM instance', async () => {
    const started = Date.now();
    mustSucceed(
      await kubectl([
        'create',
        'secret',
        'generic',
        'asm-kubeconfig',
        '-n',
        NAMESPACE,
        `--from-file=kubeconfig=${asm.controllerKubeconfig}`,
      ]),
      'kubectl create secret asm-kubeconfig',
    );
    // No --wait: the controller becomes Ready only once its RBAC exists in the ASM instance.
    mustSucceed(
      await helm(['install', ASM_RELEASE, join(REPO, 'charts', 'asmpvl'), '-n', NAMESPACE, ...asmPodSideValues()]),
      'helm install (pod side)',
    );
    const installed = mustSucceed(
      await helm(['get', 'manifest', ASM_RELEASE, '-n', NAMESPACE]),
      'helm get manifest',
    ).stdout;
    expect(installed).not.toMatch(/kind: (Mutating|Validating)WebhookConfiguration|kind: ClusterRole/);
    const caBundle = mustSucceed(
      await kubectl([
        'get',
        'secret',
        '-n',
        NAMESPACE,
        `${ASM_RELEASE}-webhook-tls`,
        '-o',
        'jsonpath={.data.ca\\.crt}',
      ]),
      'kubectl get secret (webhook CA)',
    ).stdout.trim();
    asmApiServerSide = mustSucceed(
      await helm([
        'template',
        ASM_RELEASE,
        join(REPO, 'charts', 'asmpvl'),
        '-n',
        NAMESPACE,
        ...asmApiServerValues(caBundle),
      ]),
      'helm template (API server side)',
    ).stdout;
    mustSucceed(await asmKubectl(['apply', '-f', '-'], asmApiServerSide), 'kubectl apply (ASM side)');
    for (const deployment of [`${ASM_RELEASE}-webhook`, `${ASM_RELEASE}-controller`]) {
      mustSucceed(
        await cluster.run(
          join(binDir(), 'kubectl'),
          ['rollout', 'status', '-n', NAMESPACE, `deployment/${deployment}`, '--timeout=300s'],
          { timeoutMs: 320_000 },
        ),
        `kubectl rollout status ${deployment}`,
      );
    }
    timings.asmInstallSeconds = Math.round((Date.now() - started) / 1000);
    // The controller holds its Lease in the ASM instance, not in the node cluster.
    await eventually(async () => {
      const holder = mustSucceed(
        await asmKubectl([
          'get',
          'lease',
          '-n',
          NAMESPACE,
          'asmpvl-controller',
          '-o',
          'jsonpath={.spec.holderIdentity}',
        ]),
        'kubectl get lease (ASM)',
      ).stdout;
      expect(holder).toMatch(new RegExp(`^${ASM_RELEASE}-controller-`));
    }, 60_000);
  }, 600_000);

  test('the ASM API server calls the webhook at the node port: an invalid object is denied with our message', async () => {
    const denied = await asmKubectl(['apply', '-f', '-'], stringify(loadFixture('invalid/vendor-example.yaml')));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(
      /admission webhook "[^"]*validate[^"]*" denied the request: ASMPvlConfig "default" is invalid: spec\.ackVpcEndpoint\[0\]\.vSwitches: /,
    );
    expect(denied.stderr).toContain('only in zone cn-hangzhou-j and the ASM vSwitches are only in zone cn-hangzhou-i');
  }, 120_000);

  test('kubectl apply to the ASM instance converges; the pruned status fields are kept in an annotation', async () => {
    const started = Date.now();
    mustSucceed(await asmKubectl(['apply', '-f', '-'], vendorConfig([FIRST])), 'kubectl apply (ASM)');
    // The vendor's flow: apply, wait, read status. Conditions are pruned here, so wait on status.status.
    mustSucceed(
      await asmKubectl(
        ['wait', '--for=jsonpath={.status.status}=Available', 'asmpvlconfig/default', '--timeout=300s'],
        undefined,
        320_000,
      ),
      'kubectl wait (ASM)',
    );
    timings.asmConvergeSeconds = Math.round((Date.now() - started) / 1000);
    const stored = await eventually(async () => {
      const current = await asmConfig();
      expect(current.metadata.annotations?.[KEPT_STATUS]).toBeDefined();
      return current;
    }, 60_000);
    expect(stored.status?.conditions).toBeUndefined();
    expect(stored.status?.observedGeneration).toBeUndefined();
    const kept = JSON.parse(stored.metadata.annotations![KEPT_STATUS]!) as {
      observedGeneration: number;
      conditions: Array<{ type: string; status: string }>;
    };
    expect(kept.observedGeneration).toBe(stored.metadata.generation);
    expect(kept.conditions.find((condition) => condition.type === 'Ready')?.status).toBe('True');
    expect((await liveCloudResources()).endpoints).toBeGreaterThan(0);
  }, 400_000);

  test('a SAN removed behind the controller’s back is put back', async () => {
    // The SAN of this object's endpoint (the first story's stays too: SANs are never removed).
    const domain = mustSucceed(
      await asmKubectl([
        'get',
        'asmpvlconfig',
        'default',
        '-o',
        `jsonpath={.status.clusters[?(@.clusterId=="${FIRST}")].pvlEndpoint.domainName}`,
      ]),
      'kubectl get asmpvlconfig (ASM)',
    ).stdout.trim();
    const state = (await cluster.emulatorState(EMULATOR_PORT)) as EmulatorState;
    const first = state.clusters.find((candidate) => candidate.clusterId === FIRST)!;
    expect(first.extraSans).toContain(domain);
    const without = first.extraSans.filter((san) => san !== domain);
    mustSucceed(
      await cluster.run('/bin/busybox', [
        'wget',
        '-q',
        '-O',
        '-',
        `--post-data=${JSON.stringify({ clusterId: FIRST, sans: without })}`,
        `http://${NODE_IP}:${EMULATOR_PORT}/_emulator/cluster-sans`,
      ]),
      'emulator cluster-sans',
    );
    await eventually(
      async () => {
        const now = (await cluster.emulatorState(EMULATOR_PORT)) as EmulatorState;
        const sans = now.clusters.find((candidate) => candidate.clusterId === FIRST)!.extraSans;
        expect(sans).toContain(domain);
      },
      120_000,
      2_000,
    );
  }, 180_000);

  test('kubectl delete in the ASM instance cleans the cloud; both sides uninstall', async () => {
    mustSucceed(
      await asmKubectl(['delete', 'asmpvlconfig', 'default', '--wait=true', '--timeout=300s'], undefined, 320_000),
      'kubectl delete asmpvlconfig (ASM)',
    );
    expect(await liveCloudResources()).toEqual({ endpointServices: 0, endpoints: 0 });
    mustSucceed(await asmKubectl(['delete', '-f', '-'], asmApiServerSide), 'kubectl delete (ASM side)');
    mustSucceed(await helm(['uninstall', ASM_RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '3m']), 'helm uninstall');
    for (const kind of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'clusterroles']) {
      const left = mustSucceed(await asmKubectl(['get', kind, '-o', 'name']), `kubectl get ${kind} (ASM)`).stdout;
      expect(left).not.toContain(ASM_RELEASE);
    }
    // The vendor's CRD is the vendor's: nothing of asmpvl replaced or removed it.
    const crd = mustSucceed(
      await asmKubectl(['get', 'crd', 'asmpvlconfigs.istio.alibabacloud.com', '-o', 'json']),
      'kubectl get crd (ASM)',
    ).stdout;
    expect(JSON.parse(crd).spec.versions[0].schema.openAPIV3Schema.properties.spec.properties).not.toHaveProperty(
      'deletionPolicy',
    );
  }, 480_000);
});
