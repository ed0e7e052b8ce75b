/**
 * The container image the chart runs, as scripts/build-image.sh writes it without a container
 * engine: a well-formed archive (crane reads and validates it, and its OCI index and `docker save`
 * manifest agree), the contents we promise (Node.js, its libraries, two bundles, a non-root user;
 * no npm, node_modules, sources or shell), the name the chart's default values pull, a size bound,
 * reproducible digests, and a webhook that starts from the image's own files and answers /readyz.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../support/ports';
import { CHART_DIR, createCertificateAuthority, issueCertificate } from './harness';

const REPO = join(__dirname, '..', '..');
const UID_GID = '65532:65532';
// The compressed layer: Node.js alone is about 40 MiB of it. A jump past this means something
// that should not be in the image got in.
const MAX_LAYER_BYTES = 60 * 1024 * 1024;
const BUILD_TIMEOUT_MS = 5 * 60_000;
// Only the first lint-tools.sh run compiles crane and the linters (minutes); then it prints the cache.
const TOOLS_TIMEOUT_MS = 30 * 60_000;

interface ImageConfig {
  architecture: string;
  os: string;
  config: {
    User: string;
    Entrypoint: string[];
    Env: string[];
    WorkingDir: string;
    ExposedPorts: Record<string, object>;
    Labels: Record<string, string>;
  };
  rootfs: { diff_ids: string[] };
}

let work = '';
let crane = '';
let bundles = '';
let archive = '';
let unpacked = '';
let rootfs = '';

function mustRun(command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = BUILD_TIMEOUT_MS): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Builds from a private copy of the bundles: other work in the same tree may run `npm run build`
 * between two builds. A fixed date, so two builds compare whatever commit the tree is at.
 */
function buildImage(output: string): string {
  const script = join(REPO, 'scripts', 'build-image.sh');
  return mustRun('bash', [script, '--dist', bundles, '--output', output], { SOURCE_DATE_EPOCH: '1700000000' })
    .trim()
    .split('\n')
    .pop()!;
}

/** crane from ASMPVL_E2E_LINT_BIN_DIR when set, else from lint-tools.sh (which builds it once). */
function findCrane(): string {
  const binDir = process.env.ASMPVL_E2E_LINT_BIN_DIR;
  if (binDir && existsSync(join(binDir, 'crane'))) return join(binDir, 'crane');
  const script = join(REPO, 'test', 'e2e', 'tools', 'lint-tools.sh');
  const dir = mustRun('bash', [script], {}, TOOLS_TIMEOUT_MS).trim().split('\n').pop()!;
  return join(dir, 'crane');
}

const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const blob = (digest: string): string => join(unpacked, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function dockerManifest(): { Config: string; RepoTags: string[]; Layers: string[] } {
  const entries = json<Array<{ Config: string; RepoTags: string[]; Layers: string[] }>>(
    join(unpacked, 'manifest.json'),
  );
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

function config(): ImageConfig {
  return json<ImageConfig>(join(unpacked, dockerManifest().Config));
}

/** `tar -tv` of the layer: mode, owner and path of every entry. */
function layerEntries(): Array<{ mode: string; owner: string; path: string }> {
  return mustRun('tar', ['-tzvf', join(unpacked, dockerManifest().Layers[0]!)])
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, , , , ...rest] = line.split(/\s+/);
      return { mode: mode!, owner: owner!, path: rest.join(' ').replace(/ -> .*$/, '') };
    });
}

beforeAll(() => {
  crane = findCrane();
  work = mkdtempSync(join(tmpdir(), 'asmpvl-image-test-'));
  bundles = join(work, 'dist');
  mkdirSync(bundles);
  for (const bundle of ['asmpvl-webhook.cjs', 'asmpvl-controller.cjs']) {
    if (!existsSync(join(REPO, 'dist', bundle))) {
      throw new Error(`dist/${bundle} is missing: run \`npm run build\` first (npm run test:e2e does).`);
    }
    copyFileSync(join(REPO, 'dist', bundle), join(bundles, bundle));
  }
  archive = buildImage(join(work, 'asmpvl.tar'));
  unpacked = join(work, 'archive');
  rootfs = join(work, 'rootfs');
  mkdirSync(unpacked);
  mkdirSync(rootfs);
  mustRun('tar', ['-xf', archive, '-C', unpacked]);
  mustRun('tar', ['-xzf', join(unpacked, dockerManifest().Layers[0]!), '-C', rootfs]);
}, TOOLS_TIMEOUT_MS + BUILD_TIMEOUT_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the archive', () => {
  test('crane reads and validates it: every blob matches its digest and the layer unpacks', () => {
    mustRun(crane, ['validate', '--tarball', archive]);
    // crane reads the `docker save` side and digests the Docker-typed manifest it makes of it,
    // which `docker load` and a registry push would also make: a digest, not our OCI one.
    expect(mustRun(crane, ['digest', '--tarball', archive]).trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('its OCI layout and its docker manifest name the same config and layer, each blob under its own digest', () => {
    expect(json(join(unpacked, 'oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = json<{ manifests: Array<{ digest: string; annotations: Record<string, string> }> }>(
      join(unpacked, 'index.json'),
    );
    const manifest = json<{ config: { digest: string }; layers: Array<{ digest: string; mediaType: string }> }>(
      blob(index.manifests[0]!.digest),
    );
    const docker = dockerManifest();
    expect(`blobs/sha256/${manifest.config.digest.slice('sha256:'.length)}`).toBe(docker.Config);
    expect(manifest.layers.map((layer) => `blobs/sha256/${layer.digest.slice('sha256:'.length)}`)).toEqual(
      docker.Layers,
    );
    expect(manifest.layers[0]!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    for (const file of readdirSync(join(unpacked, 'blobs', 'sha256'))) {
      expect(sha256(join(unpacked, 'blobs', 'sha256', file))).toBe(file);
    }
    const layerTar = mustRun('bash', ['-c', `gzip -dc '${join(unpacked, docker.Layers[0]!)}' | sha256sum`]);
    expect(config().rootfs.diff_ids).toEqual([`sha256:${layerTar.split(' ')[0]}`]);
  });

  test('is named what the chart pulls by default: asmpvl:<appVersion>', () => {
    const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as {
      image: { repository: string; tag: string };
    };
    const packageJson = json<{ version: string }>(join(REPO, 'package.json'));
    expect(values.image.tag).toBe('');
    expect(dockerManifest().RepoTags).toEqual([`${values.image.repository}:${chart.appVersion}`]);
    expect(chart.appVersion).toBe(packageJson.version);
    const index = json<{ manifests: Array<{ annotations: Record<string, string> }> }>(join(unpacked, 'index.json'));
    expect(index.manifests[0]!.annotations).toEqual({
      'io.containerd.image.name': `docker.io/library/asmpvl:${chart.appVersion}`,
      'org.opencontainers.image.ref.name': chart.appVersion,
    });
  });

  test('two builds of the same tree give the same digest', () => {
    const again = buildImage(join(work, 'again.tar'));
    expect(sha256(again)).toBe(sha256(archive));
  });
});

describe('the image', () => {
  test('runs the webhook as 65532:65532 by default, with the ports the chart uses', () => {
    const image = config();
    expect(image.os).toBe('linux');
    expect(image.config).toMatchObject({
      User: UID_GID,
      Entrypoint: ['node', '/app/dist/asmpvl-webhook.cjs'],
      WorkingDir: '/app',
      ExposedPorts: { '9443/tcp': {}, '8081/tcp': {} },
    });
    expect(image.config.Env).toEqual(['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production']);
    const passwd = readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8');
    expect(passwd).toContain(`nonroot:x:${UID_GID}:`);
  });

  test('holds Node.js, its libraries and the bundles, all owned by root and read-only; no npm, node_modules, sources or shell', () => {
    const entries = layerEntries();
    const paths = entries.map((entry) => entry.path);
    expect(paths).toEqual(expect.arrayContaining(['usr/local/bin/node', 'app/dist/asmpvl-webhook.cjs', 'etc/passwd']));
    expect(paths.filter((path) => /(^|\/)(node_modules|npm|npx|package\.json)(\/|$)|\.ts$|\.map$/.test(path))).toEqual(
      [],
    );
    expect(paths.filter((path) => /^(bin|usr\/bin|sbin)\/|(^|\/)(sh|bash|busybox)$/.test(path))).toEqual([]);
    expect(paths.filter((path) => path.startsWith('app/')).sort()).toEqual([
      'app/',
      'app/dist/',
      'app/dist/asmpvl-controller.cjs',
      'app/dist/asmpvl-webhook.cjs',
    ]);
    expect(new Set(entries.map((entry) => entry.owner))).toEqual(new Set(['0/0']));
    // Nothing writable but /tmp (sticky), nothing setuid or setgid.
    const writable = entries.filter((entry) => entry.mode[8] === 'w' || entry.mode[5] === 'w');
    expect(writable.map((entry) => `${entry.mode} ${entry.path}`)).toEqual(['drwxrwxrwt tmp/']);
    expect(entries.filter((entry) => /[sS]/.test(entry.mode))).toEqual([]);
  });

  test(`its layer stays under ${MAX_LAYER_BYTES / 1024 / 1024} MiB compressed`, () => {
    const size = readFileSync(join(unpacked, dockerManifest().Layers[0]!)).length;
    expect(size).toBeLessThan(MAX_LAYER_BYTES);
  });

  test("every library Node.js needs resolves inside the image, and the image's Node.js serves the webhook and runs the controller", async () => {
    const linker = readdirSync(join(rootfs, 'lib64')).find((file) => file.startsWith('ld-linux'));
    expect(linker).toBeDefined();
    const ld = join(rootfs, 'lib64', linker!);
    const libraryPath = readdirSync(join(rootfs, 'lib'))
      .map((dir) => join(rootfs, 'lib', dir))
      .join(':');
    const node = join(rootfs, 'usr', 'local', 'bin', 'node');
    const listing = mustRun(ld, ['--library-path', libraryPath, '--list', node]);
    const resolved = [...listing.matchAll(/=> (\/\S+)/g)].map((match) => match[1]!);
    expect(resolved.length).toBeGreaterThanOrEqual(4);
    expect(resolved.filter((path) => !path.startsWith(rootfs))).toEqual([]);

    const ca = createCertificateAuthority('asmpvl-image-test-ca');
    const tlsDir = join(work, 'tls');
    mkdirSync(tlsDir);
    const serving = issueCertificate(ca, { commonName: '127.0.0.1', usage: 'server', ipAddresses: ['127.0.0.1'] });
    const certFile = join(tlsDir, 'tls.crt');
    const keyFile = join(tlsDir, 'tls.key');
    writeFileSync(certFile, serving.certificatePem);
    writeFileSync(keyFile, serving.privateKeyPem, { mode: 0o600 });
    const port = await freePort();
    const webhook = spawn(
      ld,
      [
        '--library-path',
        libraryPath,
        node,
        join(rootfs, 'app', 'dist', 'asmpvl-webhook.cjs'),
        '--port',
        String(port),
        '--tls-cert-file',
        certFile,
        '--tls-private-key-file',
        keyFile,
      ],
      { env: { PATH: '/nonexistent', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const body = await readyz(port, ca.certificatePem);
      expect(body).toBe('ok');
    } finally {
      webhook.kill('SIGTERM');
    }
    // The controller's bundle loads on the image's Node.js too (its flags are exercised against
    // the API server in chart-controller.e2e.test.ts).
    const help = mustRun(ld, [
      '--library-path',
      libraryPath,
      node,
      join(rootfs, 'app', 'dist', 'asmpvl-controller.cjs'),
      '--help',
    ]);
    expect(help).toContain('Usage: asmpvl-controller');
  });
});

/** GET /readyz over HTTPS, retried until the webhook listens (up to 15 s). */
async function readyz(port: number, ca: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/readyz', ca, timeout: 2000 }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            res.statusCode === 200 ? resolve(text.trim()) : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        });
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.end();
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
