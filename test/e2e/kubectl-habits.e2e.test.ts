// The plugin where kubectl users' habits meet it: KUBECONFIG lists merged as kubectl merges them,
// no kubeconfig at all, kubectl's global flags (--context, --cluster, --user, --server,
// --certificate-authority, --insecure-skip-tls-verify, --as), --request-timeout against a silent
// server, a closed pipe, and the forms of -o. The bundled file runs as a child process, as kubectl
// would start it, against the harness's real API server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { configWithClusters } from '../bench/core.bench';
import { availableStatus } from '../bench/plugin-start.bench';
import {
  adminKubeconfig,
  createCertificateAuthority,
  installAsmpvlCrd,
  kubectl,
  mustSucceed,
  patchStatus,
  run,
} from './harness';

const BUNDLE = join(__dirname, '..', '..', 'dist/kubectl-asmpvl.cjs');
const NO_OBJECT = 'there is no asmpvlconfig/default yet';

interface Kubeconfig {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context'?: string;
}

let dir: string;
const admin = () => parse(adminKubeconfig().text) as Kubeconfig;

/** The admin kubeconfig as an ACK console hands it out: `kubernetes` and `kubernetes-admin`, here pointed at `server`. */
function ackStyle(server?: string): Kubeconfig {
  const config = admin();
  return {
    clusters: [{ name: 'kubernetes', cluster: { ...config.clusters[0]!.cluster, ...(server ? { server } : {}) } }],
    users: [{ name: 'kubernetes-admin', user: config.users[0]!.user }],
    contexts: [{ name: 'kubernetes-admin@kubernetes', context: { cluster: 'kubernetes', user: 'kubernetes-admin' } }],
    'current-context': 'kubernetes-admin@kubernetes',
  };
}

function write(name: string, config: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

/** The bundled plugin with exactly this environment's kubeconfig (nothing of the harness's own). */
function plugin(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000) {
  return run(process.execPath, [BUNDLE, ...args], {
    env: { KUBECONFIG: undefined, HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), ...env },
    timeoutMs,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'asmpvl-habits-'));
  await installAsmpvlCrd();
  await mustSucceed(kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found']), 'delete default');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('KUBECONFIG with several files, merged as kubectl does', () => {
  test('the first file wins on duplicate names, and a missing file in the list is skipped', async () => {
    const good = write('good.yaml', ackStyle());
    const unreachable = write('unreachable.yaml', ackStyle('https://127.0.0.1:1'));
    const list = [join(dir, 'missing.yaml'), good, unreachable].join(':');
    const first = await plugin(['status'], { KUBECONFIG: list });
    expect(first.stderr).toContain(NO_OBJECT);
    expect(first.code).toBe(1);

    const swapped = await plugin(['status'], { KUBECONFIG: [unreachable, good].join(':') });
    expect(swapped.stderr).toContain('https://127.0.0.1:1');
    expect(swapped.stderr).not.toContain(NO_OBJECT);
    expect(swapped.stderr).not.toMatch(/Duplicate|ENOENT|\n\s+at /);
  });

  test('contexts of later files are reachable with --context', async () => {
    const other = ackStyle();
    const renamed: Kubeconfig = {
      clusters: [{ name: 'second', cluster: other.clusters[0]!.cluster }],
      users: [{ name: 'second-admin', user: other.users[0]!.user }],
      contexts: [{ name: 'second', context: { cluster: 'second', user: 'second-admin' } }],
    };
    const list = [write('first.yaml', ackStyle('https://127.0.0.1:1')), write('second.yaml', renamed)].join(':');
    const result = await plugin(['status', '--context=second'], { KUBECONFIG: list });
    expect(result.stderr).toContain(NO_OBJECT);
  });

  test('no kubeconfig at all says so, instead of trying http://localhost:8080', async () => {
    const result = await plugin(['status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: no kubeconfig found: ~/.kube/config (${join(dir, '.kube', 'config')}) has no context; set KUBECONFIG or pass --kubeconfig (the plugin runs against the ASM instance's kubeconfig)\n`,
    );
    expect(result.stderr).not.toContain('localhost:8080');

    const missing = await plugin(['status', '--kubeconfig', join(dir, 'nope.yaml')]);
    expect(missing.stderr).toContain(`--kubeconfig ${join(dir, 'nope.yaml')}: no such file`);
  });
});

describe("kubectl's global flags", () => {
  const kubeconfig = () => ['--kubeconfig', adminKubeconfig().path];

  test('--server, --cluster and --user choose another API server, cluster or user', async () => {
    const list = write('named.yaml', {
      ...ackStyle(),
      clusters: [...ackStyle().clusters, { name: 'dead', cluster: { server: 'https://127.0.0.1:2' } }],
    });
    expect((await plugin(['status', '--server', 'https://127.0.0.1:1'], { KUBECONFIG: list })).stderr).toContain(
      'https://127.0.0.1:1',
    );
    expect((await plugin(['status', '-s=https://127.0.0.1:1'], { KUBECONFIG: list })).stderr).toContain(
      'https://127.0.0.1:1',
    );
    expect((await plugin(['status', '--cluster', 'dead'], { KUBECONFIG: list })).stderr).toContain(
      'https://127.0.0.1:2',
    );
    const noUser = await plugin(['status', '--user', 'nobody'], { KUBECONFIG: list });
    expect(noUser.stderr).toContain('--user nobody: no such user in the kubeconfig (have: kubernetes-admin)');
  });

  test('--certificate-authority and --insecure-skip-tls-verify decide how the server certificate is checked', async () => {
    const wrongCa = ackStyle();
    wrongCa.clusters[0]!.cluster['certificate-authority-data'] = Buffer.from(
      createCertificateAuthority('not the API server CA').certificatePem,
    ).toString('base64');
    const path = write('wrong-ca.yaml', wrongCa);
    const refused = await plugin(['status', '--kubeconfig', path]);
    expect(refused.stderr).not.toContain(NO_OBJECT);
    expect((await plugin(['status', '--kubeconfig', path, '--insecure-skip-tls-verify'])).stderr).toContain(NO_OBJECT);
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, Buffer.from(String(admin().clusters[0]!.cluster['certificate-authority-data']), 'base64'));
    expect((await plugin(['status', '--kubeconfig', path, '--certificate-authority', caFile])).stderr).toContain(
      NO_OBJECT,
    );
  });

  test('--as impersonates: RBAC answers for that user', async () => {
    const result = await plugin(['status', ...kubeconfig(), '--as', 'someone-without-rights']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/forbidden \(403\).*someone-without-rights/);
  });

  test('global flags before the command word, and -n as the Lease namespace', async () => {
    const result = await plugin(['--kubeconfig', adminKubeconfig().path, '-n', 'ops', 'status']);
    expect(result.stderr).toContain(NO_OBJECT);
  });
});

describe('time and pipes', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never says a word: not even the TLS handshake.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  test('--request-timeout bounds the wall time of a request to a silent server', async () => {
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const result = await plugin(
      ['status', '--server', `https://127.0.0.1:${port}`, '--insecure-skip-tls-verify', '--request-timeout=2s'],
      { KUBECONFIG: write('for-silent.yaml', ackStyle()) },
      20_000,
    );
    const elapsed = Date.now() - started;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no answer within 2000 ms \(--request-timeout\)/);
    expect(elapsed).toBeLessThan(4_500);
  });

  test('a reader that goes away (| head -1) ends the plugin quietly', async () => {
    // The most clusters an ASMPvlConfig admits: a status of ~240 KB, well past a pipe's buffer.
    const config = configWithClusters(100) as { spec: { ackVpcEndpoint: Array<{ clusterId: string }> } };
    await mustSucceed(kubectl(['create', '-f', '-'], { input: JSON.stringify(config) }), 'create');
    await patchStatus(availableStatus(config, 1));
    try {
      const script = `"${process.execPath}" "${BUNDLE}" status -o yaml --kubeconfig "${adminKubeconfig().path}" | head -c 20; echo " exit=\${PIPESTATUS[0]}"`;
      const result = await run('bash', ['-c', script], { env: { HOME: dir } });
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/ exit=(0|141)\n$/);
    } finally {
      await mustSucceed(kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found']), 'delete default');
    }
  });
});

describe('status output forms, as kubectl get prints them', () => {
  const kubeconfig = () => ['--kubeconfig', adminKubeconfig().path];
  beforeAll(async () => {
    const config = configWithClusters(3) as { spec: { ackVpcEndpoint: Array<{ clusterId: string }> } };
    await mustSucceed(kubectl(['create', '-f', '-'], { input: JSON.stringify(config) }), 'create');
    await patchStatus(availableStatus(config, 1));
  });
  afterAll(() => mustSucceed(kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found']), 'delete'));

  test.each([['json'], ['yaml'], ['name'], ['jsonpath={.status.clusters[*].clusterId}']])(
    '-o %s prints exactly what kubectl get prints, in every spelling of -o',
    async (format) => {
      const expected = await mustSucceed(kubectl(['get', 'asmpvlconfig', 'default', '-o', format]), 'kubectl get');
      for (const spelling of [['-o', format], [`-o${format}`], [`-o=${format}`], [`--output=${format}`]]) {
        const result = await plugin(['status', ...spelling, ...kubeconfig()]);
        expect(result.stdout).toBe(expected.stdout);
        expect(result).toMatchObject({ code: 0, stderr: '' });
      }
    },
  );

  test('--no-headers prints the rows only, as kubectl get --no-headers', async () => {
    const withHeaders = await plugin(['status', ...kubeconfig()]);
    const without = await plugin(['status', '--no-headers', ...kubeconfig()]);
    expect(withHeaders.stdout.split('\n')[0]).toMatch(/^CLUSTER +PAIRED ZONES/);
    const ids = (
      await mustSucceed(
        kubectl(['get', 'asmpvlconfig', 'default', '-o', 'jsonpath={.spec.ackVpcEndpoint[*].clusterId}']),
        'ids',
      )
    ).stdout.split(' ');
    expect(without.stdout.split('\n')).toEqual([
      ...ids.map((id) => expect.stringMatching(new RegExp(`^${id} +\\S`))),
      '',
    ]);
    expect(without.stdout).not.toMatch(/Overall|Pilot service|Reconciled/);
  });

  test('a template kubectl cannot read fails as kubectl fails, before the read; an unknown -o is a usage error', async () => {
    const args = ['get', 'asmpvlconfig', 'default', '-o', 'jsonpath={.metadata.name'];
    const fromKubectl = await kubectl(args);
    const ours = await plugin(['status', '-o', 'jsonpath={.metadata.name', ...kubeconfig()]);
    expect(ours).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: error parsing jsonpath {.metadata.name, unclosed action\n',
    });
    expect({ code: fromKubectl.code, stderr: fromKubectl.stderr }).toEqual({ code: ours.code, stderr: ours.stderr });
    const wrong = await plugin(['status', '-o', 'xml', ...kubeconfig()]);
    expect(wrong).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: invalid argument for "-o" flag: expected one of table, wide, json, yaml, name, jsonpath=TEMPLATE; got "xml"\n' +
        "See 'kubectl asmpvl status --help' for usage.\n",
    });
  });

  test('-o json exits 0 on a read that worked, Available or not, so `| jq` works under pipefail', async () => {
    const current = JSON.parse(
      (await mustSucceed(kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json']), 'get')).stdout,
    ) as {
      status: Record<string, unknown>;
    };
    await patchStatus({ ...current.status, status: 'Provisioning' });
    try {
      expect((await plugin(['status', ...kubeconfig()])).code).toBe(1);
      for (const format of ['json', 'yaml', 'name', 'jsonpath={.status.status}'])
        expect(await plugin(['status', '-o', format, ...kubeconfig()])).toMatchObject({ code: 0, stderr: '' });
    } finally {
      await patchStatus(current.status);
    }
  });

  test("-o yaml and -o json escape C1 controls and bidi overrides from the status, and read back as kubectl's", async () => {
    const current = JSON.parse(
      (await mustSucceed(kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json']), 'get')).stdout,
    ) as { status: Record<string, unknown> };
    await patchStatus({ ...current.status, status: 'Failed \u009b2J\u202Edesrever' });
    try {
      for (const format of ['yaml', 'json']) {
        const ours = await plugin(['status', '-o', format, ...kubeconfig()]);
        expect(ours).toMatchObject({ code: 0, stderr: '' });
        expect(ours.stdout).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
        expect(ours.stdout).toContain('Failed \\u009b2J\\u202edesrever');
        // kubectl's own -o yaml refuses this object ("yaml: control characters are not allowed"), so
        // both forms read back as its -o json.
        const fromKubectl = await mustSucceed(kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json']), 'get');
        expect(parse(ours.stdout)).toEqual(JSON.parse(fromKubectl.stdout));
      }
    } finally {
      await patchStatus(current.status);
    }
  });

  test('-w prints the object, then each change, until interrupted, as kubectl get -w', async () => {
    const current = JSON.parse(
      (await mustSucceed(kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json']), 'get')).stdout,
    ) as {
      status: Record<string, unknown>;
    };
    const child = spawn(
      process.execPath,
      [BUNDLE, 'status', '-w', '-o', 'jsonpath={.status.status}{"\\n"}', ...kubeconfig()],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HOME: dir },
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));
    try {
      await until(() => stdout === 'Available\n');
      await patchStatus({ ...current.status, status: 'Provisioning' });
      await until(() => stdout === 'Available\nProvisioning\n');
      await patchStatus(current.status);
      await until(() => stdout === 'Available\nProvisioning\nAvailable\n');
      // Available again, and still watching: only Ctrl-C ends it.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(exitCode).toBeUndefined();
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => (exitCode === undefined ? child.once('exit', resolve) : resolve(undefined)));
      await patchStatus(current.status);
    }
    expect(stdout).toBe('Available\nProvisioning\nAvailable\n');
  });

  test('-v=6 logs each API request as kubectl does; -v=8 adds the bodies, credentials masked', async () => {
    const six = await plugin(['status', '-o', 'name', '-v=6', ...kubeconfig()]);
    expect(six.code).toBe(0);
    const url = `${admin().clusters[0]!.cluster.server as string}/apis/istio.alibabacloud.com/v1beta1/asmpvlconfigs/default`;
    expect(six.stderr).toMatch(
      new RegExp(
        `^I\\d{4} [\\d:.]+ +\\d+ round_trippers\\.go:\\d+\\] "Response" verb="GET" url="${url.replace(/[.]/g, '\\.')}" status="200 OK" milliseconds=\\d+\\n$`,
      ),
    );
    const fromKubectl = await kubectl(['get', 'asmpvlconfig', 'default', '-o', 'name', '-v=6']);
    expect(fromKubectl.stderr).toMatch(
      new RegExp(
        `"Response" verb="GET" url="${url.replace(/[.]/g, '\\.')}(\\?[^"]*)?" status="200 OK" milliseconds=\\d+`,
      ),
    );
    const eight = await plugin(['status', '-o', 'name', '-v=8', ...kubeconfig()]);
    expect(eight.stderr).toContain('"Response Body" body="{\\"apiVersion\\":\\"istio.alibabacloud.com/v1beta1\\"');
    const token = await plugin(['status', '-v=7', '--token', 'not-a-real-token', ...kubeconfig()]);
    expect(token.stderr).toContain('\tAuthorization: Bearer <masked>\n');
    expect(token.stderr).not.toContain('not-a-real-token');
  });
});

/** Waits until `done` holds, for up to 30 s. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 100) {
    if (waited > 30_000) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("usage and help, in kubectl's words", () => {
  test('an unknown flag: error, where the usage is, exit 2; help [command] and the options page', async () => {
    expect(await plugin(['status', '--x'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: unknown flag: --x\nSee 'kubectl asmpvl status --help' for usage.\n",
    });
    const help = await plugin(['help', 'status']);
    expect(help.code).toBe(0);
    expect(help.stdout).toEqual((await plugin(['status', '--help'])).stdout);
    expect(help.stdout).not.toContain('--kubeconfig');
    expect((await plugin(['options'])).stdout).toContain('--kubeconfig PATH');
  });
});

describe('shell completion through kubectl (kubectl_complete-asmpvl)', () => {
  const script = join(__dirname, '..', '..', 'plugin/completion/kubectl_complete-asmpvl');

  test('completes cluster ids from the object and contexts from the merged KUBECONFIG', async () => {
    const config = configWithClusters(2) as { spec: { ackVpcEndpoint: Array<{ clusterId: string }> } };
    await mustSucceed(kubectl(['create', '-f', '-'], { input: JSON.stringify(config) }), 'create');
    try {
      // The script runs the plugin beside it, else kubectl-asmpvl on PATH: here the bundle, on PATH.
      const bin = mkdtempSync(join(dir, 'bin-'));
      writeFileSync(join(bin, 'kubectl-asmpvl'), `#!/bin/sh\nexec "${process.execPath}" "${BUNDLE}" "$@"\n`, {
        mode: 0o755,
      });
      const env = {
        PATH: `${bin}:/usr/bin:/bin`,
        KUBECONFIG: `${adminKubeconfig().path}:${write('more.yaml', ackStyle())}`,
      };
      const ids = await run(script, ['disconnect', ''], { env: { ...env, HOME: dir } });
      expect(ids).toMatchObject({
        code: 0,
        stdout: `${config.spec.ackVpcEndpoint.map((c) => c.clusterId).join('\n')}\n:4\n`,
      });
      const contexts = await run(script, ['status', '--context', ''], { env: { ...env, HOME: dir } });
      expect(contexts.stdout).toBe('asmpvl-e2e\nkubernetes-admin@kubernetes\n:4\n');
      const words = await run(script, ['sy'], { env: { ...env, HOME: dir } });
      expect(words.stdout).toMatch(/^sync-san\t.+\n:4\n$/);
    } finally {
      await mustSucceed(kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found']), 'delete');
    }
  });
});
