// `kubectl asmpvl status` as a user runs it: the bundled plugin as a child process against the real
// API server, the status written through the status subresource with kubectl, and --refresh
// reading the cloud emulator.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderStatusTable } from '../../plugin/render/status-table';
import { startEmulator, TWO_CLUSTERS_WORLD, type RunningEmulator } from '../emulator';
import { loadFixture } from '../fixtures';
import {
  adminKubeconfig,
  installAsmpvlCrd,
  kubectl,
  mustSucceed,
  patchStatus,
  run,
  deleteDefaultConfig,
} from './harness';

const REPO = join(__dirname, '..', '..');
const BUNDLE = join(REPO, 'dist/kubectl-asmpvl.cjs');
const MESH_ID = 'cf9171d03515f8f0920a4425eca656495';

type Stored = Parameters<typeof renderStatusTable>[0];

function plugin(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [BUNDLE, ...args, '--kubeconfig', adminKubeconfig().path], { env, timeoutMs: 60_000 });
}

/** Creates asmpvlconfig/default from a fixture's spec, then writes the fixture's status to /status. */
async function storeFixture(name: string): Promise<void> {
  const fixture = loadFixture(`status/${name}.yaml`) as { spec: unknown; status?: unknown };
  const object = {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default' },
    spec: fixture.spec,
  };
  await mustSucceed(kubectl(['create', '-f', '-'], { input: JSON.stringify(object) }), 'kubectl create');
  if (fixture.status) await patchStatus(fixture.status);
}

async function stored(): Promise<Stored> {
  return JSON.parse(
    (
      await mustSucceed(
        kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json', '--show-managed-fields']),
        'kubectl get',
      )
    ).stdout,
  ) as Stored;
}

beforeAll(async () => {
  await installAsmpvlCrd();
  await deleteDefaultConfig();
});

afterEach(deleteDefaultConfig);

describe('kubectl asmpvl status', () => {
  test('everything Available: the table as the renderer draws it for the stored object, exit 0', async () => {
    await storeFixture('available');
    const result = await plugin(['status']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(renderStatusTable(await stored()));
    expect(result.stdout.split('\n')[1]).toMatch(
      /^c84974f524e2045c87dccadff91a71708 +cn-hangzhou-j +Active\/Connected +Active\/Connected +synced +running$/,
    );
    expect(result.stdout).toContain('Overall: Available (2 of 2 clusters connected, 2 running in the mesh)');
  });

  test('-o wide adds the ids and domains', async () => {
    await storeFixture('available');
    const result = await plugin(['status', '-o', 'wide']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(renderStatusTable(await stored(), { wide: true }));
    expect(result.stdout).toContain(
      'ep-bp1i06bad79eb60c60cc.epsrv-bp1gqb8g1b8d7uactd.cn-hangzhou.privatelink.aliyuncs.com',
    );
  });

  test('-o json and -o yaml print the whole object, its status exactly as stored', async () => {
    await storeFixture('available');
    const { status } = await stored();
    const json = await plugin(['status', '-o', 'json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as Stored).status).toEqual(status);
    const yaml = await plugin(['status', '-o', 'yaml']);
    expect((parse(yaml.stdout) as Stored).status).toEqual(status);
  });

  test('not yet Available: the table says what is missing, exit 1', async () => {
    await storeFixture('provisioning');
    const result = await plugin(['status']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cab1659d273777fbbeb08d1f747ad55b7   cn-hangzhou-k   Creating/Pending');
    expect(result.stdout).toContain('Overall: Provisioning (1 of 2 clusters connected, 1 running in the mesh)');
    expect(result.stdout).toContain(
      'APIServerLinks is False (Provisioning): cab1659d273777fbbeb08d1f747ad55b7: endpoint ep-bp1x7kd2m9q4w8e5r1t3 is Creating',
    );
  });

  test('no object: an error that says how to create one, exit 1', async () => {
    const result = await plugin(['status']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: there is no asmpvlconfig/default yet: create it with kubectl asmpvl connect <clusterId> --vswitch vsw-...\n',
    });
  });

  test('a kubeconfig that does not exist: error naming it, exit 1', async () => {
    const result = await run(process.execPath, [BUNDLE, 'status', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --kubeconfig /nonexistent/kubeconfig: no such file\n',
    });
  });

  test('--wait redraws when the status changes and exits 0 once Available', async () => {
    await storeFixture('provisioning');
    const available = (loadFixture('status/available.yaml') as { status: unknown }).status;
    const child = spawn(
      process.execPath,
      [BUNDLE, 'status', '--wait', '--timeout', '60s', '--kubeconfig', adminKubeconfig().path],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Wait for the first drawing, then let the links come up.
    for (let waited = 0; !stdout.includes('Overall: Provisioning') && waited < 30_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stdout).toContain('Overall: Provisioning');
    await patchStatus(available);
    expect(await exited).toBe(0);
    // Not a terminal: each different rendering once, in order, and no cursor movement.
    const drawings = stdout.split(/\n(?=CLUSTER )/);
    expect(drawings.map((drawing) => /Overall: (\w+)/.exec(drawing)?.[1])).toEqual(['Provisioning', 'Available']);
    expect(stdout).not.toContain('\x1b[');
  });

  test('--wait gives up at --timeout with exit 1', async () => {
    await storeFixture('provisioning');
    const started = Date.now();
    const result = await plugin(['status', '--wait', '--timeout', '3s']);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).toBe('error: not Available after 3s (--timeout); the table says what is missing\n');
    expect(result.stdout.match(/Overall: Provisioning/g)).toHaveLength(1);
  });
});

describe('kubectl asmpvl status --refresh against the cloud emulator', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ world: TWO_CLUSTERS_WORLD });
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  test('reads the cloud, rewrites the status (nothing provisioned yet: not Available) and changes nothing in the cloud', async () => {
    // The two clusters of the emulator's world, with a stale Available status from some earlier run.
    await storeFixture('available');
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
    };
    const result = await plugin(['status', '--refresh', '--mesh-id', MESH_ID, '--cloud-endpoint', emulator.url], env);
    expect(result.code).toBe(1);
    const after = await stored();
    expect(after.status?.status).not.toBe('Available');
    expect(after.status?.clusters?.map((cluster) => cluster.clusterId)).toEqual([
      'c84974f524e2045c87dccadff91a71708',
      'cab1659d273777fbbeb08d1f747ad55b7',
    ]);
    expect(after.status?.clusters?.every((cluster) => cluster.pvlEndpoint === undefined)).toBe(true);
    expect(result.stdout).toBe(renderStatusTable(after));
    // The world starts with neither cluster in the mesh: the MESH column says so.
    expect(result.stdout).toMatch(
      /^c84974f524e2045c87dccadff91a71708 +cn-hangzhou-j +none +none +waiting for link +not added$/m,
    );
    expect(emulator.requests().filter((request) => request.mutating)).toEqual([]);
    expect(emulator.requests().length).toBeGreaterThan(0);
  });

  test('without credentials: the cloud error and what to do, exit 1', async () => {
    await storeFixture('available');
    const result = await plugin(['status', '--refresh', '--mesh-id', MESH_ID, '--cloud-endpoint', emulator.url], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: .*SignatureDoesNotMatch/);
    expect(result.stderr).toContain('check the AccessKey secret that goes with the AccessKey id');
  });
});
