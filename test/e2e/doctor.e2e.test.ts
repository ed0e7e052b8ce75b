// `kubectl asmpvl doctor` as a user runs it: the bundled plugin as a child process against the real
// API server (first without the webhook, then with the chart installed in webhook.url mode and the
// bundled webhook on 127.0.0.1) and the cloud emulator.
import { join } from 'node:path';
import type { Finding } from '../../plugin/doctor/checks';
import { loadWorldFile, startEmulator, TWO_CLUSTERS_WORLD, type RunningEmulator } from '../emulator';
import { type WebhookProcess } from '../support/webhook-process';
import {
  adminKubeconfig,
  eventually,
  installAsmpvlCrd,
  installWebhookRelease,
  kubectl,
  mustSucceed,
  run,
  type WebhookRelease,
  deleteDefaultConfig,
} from './harness';

const REPO = join(__dirname, '..', '..');
const BUNDLE = join(REPO, 'dist/kubectl-asmpvl.cjs');
// A path inside the repository that never exists (a system path like /nonexistent may).
const MISSING_KUBECONFIG = join(REPO, 'test/e2e/fixtures/no-such-kubeconfig');
const RELEASE = 'asmpvl-doctor-e2e';
const NAMESPACE = 'asmpvl-system';
const CLUSTER_1 = 'c84974f524e2045c87dccadff91a71708';
const CLUSTER_2 = 'cab1659d273777fbbeb08d1f747ad55b7';

// The two clusters of the emulator's world, on vSwitches in zones both sides share.
const TWO_CLUSTERS = {
  apiVersion: 'istio.alibabacloud.com/v1beta1',
  kind: 'ASMPvlConfig',
  metadata: { name: 'default' },
  spec: {
    ackVpcEndpoint: [
      { clusterId: CLUSTER_1, vSwitches: [{ vSwitchId: 'vsw-bp10gkryrkhgg8t0t3q45', zoneId: 'cn-hangzhou-j' }] },
      { clusterId: CLUSTER_2, vSwitches: [{ vSwitchId: 'vsw-bp1ta6xjvp98ptjwml7er', zoneId: 'cn-hangzhou-k' }] },
    ],
    asmVpcEndpoint: {
      vSwitches: [
        { vSwitchId: 'vsw-bp10w1gdt1pw6srb8dy0i', zoneId: 'cn-hangzhou-j' },
        { vSwitchId: 'vsw-bp1cofkccijnjju314wym', zoneId: 'cn-hangzhou-k' },
      ],
    },
  },
};

let emulator: RunningEmulator;

function credentials(of: RunningEmulator = emulator): NodeJS.ProcessEnv {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: of.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: of.credentials.accessKeySecret,
  };
}

function doctor(args: string[], env: NodeJS.ProcessEnv = credentials(), endpoint = emulator.url) {
  return run(
    process.execPath,
    [BUNDLE, 'doctor', '--kubeconfig', adminKubeconfig().path, '--cloud-endpoint', endpoint, ...args],
    { env, timeoutMs: 60_000 },
  );
}

async function findings(
  args: string[] = [],
  env?: NodeJS.ProcessEnv,
  endpoint?: string,
): Promise<{ code: number; ok: boolean; byCheck: Record<string, Finding['status']>; list: Finding[] }> {
  const result = await doctor(['-o', 'json', ...args], env, endpoint);
  const report = JSON.parse(result.stdout) as { ok: boolean; findings: Finding[] };
  return {
    code: result.code,
    ok: report.ok,
    list: report.findings,
    byCheck: Object.fromEntries(report.findings.map((finding) => [finding.check, finding.status])),
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ world: TWO_CLUSTERS_WORLD });
  await installAsmpvlCrd();
  await deleteDefaultConfig();
});

afterAll(async () => {
  await deleteDefaultConfig();
  await emulator?.stop();
});

describe('without the webhook', () => {
  test('no object yet: the webhook check fails (a bad object gets through), zones and clusters are skipped, exit 1', async () => {
    const report = await findings(['--region', 'cn-hangzhou']);
    expect(report.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.byCheck).toEqual({
      kubeconfig: 'ok',
      'api-server': 'ok',
      crd: 'ok',
      'crd-owner': 'ok',
      object: 'warn',
      webhook: 'fail',
      credentials: 'ok',
      privatelink: 'ok',
      permissions: 'ok',
      zones: 'skip',
    });
    // The dry run left nothing behind.
    expect((await kubectl(['get', 'asmpvlconfig', 'default'])).code).toBe(1);
  });

  test('plain words in a pipe, each failure with its fix, and a summary', async () => {
    const result = await doctor(['--region', 'cn-hangzhou']);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^ok {3}kubeconfig and context: context asmpvl-e2e, server https:\/\/127\.0\.0\.1:\d+$/);
    expect(lines).toContain(
      'FAIL admission webhook refuses an invalid object: a dry run of an object whose zones do not pair was let through: no webhook checks ASMPvlConfig, or it is down with failurePolicy Ignore',
    );
    expect(lines).toContain(
      '     fix: install the chart (helm install asmpvl charts/asmpvl -n asmpvl-system --create-namespace); if it is installed, check the asmpvl-webhook pods and endpoints in asmpvl-system',
    );
    expect(lines).toContain(
      'ok   ASMPvlConfig CRD owner: installed by asmpvl (label app.kubernetes.io/part-of=asmpvl)',
    );
    expect(lines.at(-2)).toBe('7 ok, 1 warning(s), 1 failed, 1 skipped');
    expect(result.stderr).toBe('');
  });

  test('a kubeconfig that does not exist: that check fails, the cluster checks are skipped, the cloud still checked', async () => {
    const result = await run(
      process.execPath,
      [
        BUNDLE,
        'doctor',
        '-o',
        'json',
        '--kubeconfig',
        MISSING_KUBECONFIG,
        '--region',
        'cn-hangzhou',
        '--cloud-endpoint',
        emulator.url,
      ],
      { env: credentials() },
    );
    const report = JSON.parse(result.stdout) as { findings: Finding[] };
    expect(result.code).toBe(1);
    expect(report.findings.map((finding) => `${finding.check}:${finding.status}`)).toEqual([
      'kubeconfig:fail',
      'api-server:skip',
      'crd:skip',
      'object:skip',
      'webhook:skip',
      'credentials:ok',
      'privatelink:ok',
      'permissions:ok',
      'zones:skip',
    ]);
    expect(report.findings[0]!.message).toBe(`--kubeconfig ${MISSING_KUBECONFIG}: no such file`);
  });
});

describe('with the chart installed and the webhook answering', () => {
  let webhook: WebhookProcess | undefined;
  let release: WebhookRelease | undefined;

  beforeAll(async () => {
    release = await installWebhookRelease(RELEASE, NAMESPACE);
    webhook = release.webhook;
    // The API server picks up new webhook configurations a moment after they are stored.
    await eventually(async () => {
      const denied = await kubectl(['create', '--dry-run=server', '-f', '-'], {
        input: JSON.stringify({
          ...TWO_CLUSTERS,
          spec: {
            ...TWO_CLUSTERS.spec,
            asmVpcEndpoint: { vSwitches: [{ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-i' }] },
          },
        }),
      });
      if (denied.code === 0) throw new Error('the webhook is not called yet');
    });
    await mustSucceed(
      kubectl(['create', '-f', '-'], { input: JSON.stringify(TWO_CLUSTERS) }),
      'kubectl create asmpvlconfig/default',
    );
  });

  afterAll(async () => {
    try {
      await deleteDefaultConfig();
    } finally {
      await release?.uninstall();
    }
  });

  test('every check passes, with one line per cluster; the region comes from the spec; exit 0', async () => {
    const result = await doctor([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'ok   admission webhook refuses an invalid object: a dry run of an object whose zones do not pair was refused by the webhook',
    );
    expect(result.stdout).toContain(
      'ok   cloud credentials usable: a read call in cn-hangzhou (from the zones of the spec) was signed and answered (request id ',
    );
    expect(result.stdout).toContain(`ok   ACK cluster ${CLUSTER_1} visible: ack-hz-1, running`);
    expect(result.stdout).toContain(`ok   ACK cluster ${CLUSTER_2} visible: ack-hz-2, running`);
    // The object here names no mesh (no asmpvl.io/mesh-id, no ASMPVL_MESH_ID): the mesh check is skipped, saying why.
    expect(result.stdout).toContain('skip clusters in the service mesh: not checked: no mesh id (set ASMPVL_MESH_ID');
    // One more ok than the checks above: no controller has claimed the object, the plugin provisions.
    expect(result.stdout).toContain('no controller has claimed asmpvlconfig/default');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('13 ok, 0 warning(s), 0 failed, 1 skipped');
    // Doctor changes nothing, in the cloud or in the cluster: its permission probes of writes are
    // DryRuns or name ids no one owns, so every one is refused.
    expect(emulator.requests().filter((entry) => entry.mutating && entry.status < 400)).toEqual([]);
    expect(emulator.state().endpointServices).toEqual([]);
  });

  test('a wrong secret: credentials fail with the cloud code, everything after is skipped', async () => {
    const report = await findings([], { ...credentials(), ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' });
    expect(report.code).toBe(1);
    const credentialsFinding = report.list.find((finding) => finding.check === 'credentials')!;
    expect(credentialsFinding.message).toMatch(
      /^VPC DescribeVSwitches failed: SignatureDoesNotMatch \(request id [0-9A-F-]+\): /,
    );
    expect(report.byCheck).toMatchObject({
      webhook: 'ok',
      credentials: 'fail',
      privatelink: 'skip',
      zones: 'skip',
      [`cluster/${CLUSTER_1}`]: 'skip',
    });
  });

  test('PrivateLink not opened for the account, and a cluster the account cannot see', async () => {
    const world = loadWorldFile(TWO_CLUSTERS_WORLD);
    world.accounts[0]!.privateLinkOpen = false;
    world.clusters = world.clusters.filter((cluster) => cluster.clusterId !== CLUSTER_2);
    const closed = await startEmulator({ world });
    try {
      const report = await findings([], credentials(closed), closed.url);
      expect(report.code).toBe(1);
      expect(report.byCheck).toMatchObject({
        privatelink: 'fail',
        zones: 'ok',
        [`cluster/${CLUSTER_1}`]: 'ok',
        [`cluster/${CLUSTER_2}`]: 'fail',
      });
      const missing = report.list.find((finding) => finding.check === `cluster/${CLUSTER_2}`)!;
      expect(missing.message).toMatch(
        /^not found: ACK DescribeClusterDetail for cab1659d273777fbbeb08d1f747ad55b7 failed: ErrorClusterNotFound \(request id [0-9A-F-]+\): /,
      );
      expect(missing.fix).toBe(
        'check the cluster id (ACK console), that the cluster is in cn-hangzhou (--region), and that these credentials belong to its account',
      );
    } finally {
      await closed.stop();
    }
  });

  test('a zone PrivateLink does not serve is named', async () => {
    const world = loadWorldFile(TWO_CLUSTERS_WORLD);
    world.zones = world.zones.map((zone) =>
      zone.zoneId === 'cn-hangzhou-k' ? { ...zone, privateLinkResourceTypes: ['nlb'] } : zone,
    );
    const narrow = await startEmulator({ world });
    try {
      const report = await findings([], credentials(narrow), narrow.url);
      expect(report.code).toBe(1);
      expect(report.list.find((finding) => finding.check === 'zones')).toMatchObject({
        status: 'fail',
        message:
          'PrivateLink does not serve load balancers in cn-hangzhou-k (supported here: cn-hangzhou-i, cn-hangzhou-j)',
      });
    } finally {
      await narrow.stop();
    }
  });

  // Last in this block: it stops the webhook (afterAll uninstalls the chart).
  test('the webhook down with failurePolicy Fail: named as blocking every write', async () => {
    await webhook!.stop();
    const report = await findings();
    const finding = report.list.find((candidate) => candidate.check === 'webhook')!;
    expect(report.code).toBe(1);
    expect(finding.status).toBe('fail');
    expect(finding.message).toMatch(
      /^the webhook is configured but not answering, so every write of asmpvlconfig\/default fails: .*failed calling webhook/,
    );
  });
});
