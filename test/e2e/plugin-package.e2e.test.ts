// The plugin as it ships: the bundled file on an unsupported Node, the sections each command loads,
// the code cache's bound, and the self-contained executable (SEA) in its krew archive: the release
// template validated by krew's own validate-krew-manifest, the README's install commands run as
// written in a clean clone with krew itself (built from the Go module proxy) and a throwaway
// KREW_ROOT, and the plugin run through kubectl with no Node.js on PATH against the harness's API server.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { adminKubeconfig, e2eEnvironment, installAsmpvlCrd, kubectl, mustSucceed, run } from './harness';

const REPO = join(__dirname, '..', '..');
const BUNDLE = join(REPO, 'dist/kubectl-asmpvl.cjs');
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
const PLATFORM = `${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
const ARCHIVE = join(REPO, 'dist', `kubectl-asmpvl-v${version}-${PLATFORM}.tar.gz`);

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'asmpvl-package-'));
  await installAsmpvlCrd();
  await mustSucceed(kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found']), 'delete default');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundle(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [BUNDLE, ...args], { env: { XDG_CACHE_HOME: join(dir, 'cache'), ...env } });
}

describe('the bundled file', () => {
  test('an unsupported Node.js is told so before anything else runs', async () => {
    // The machine's own Node 20 when it has one; else this Node made to report 20.11.0.
    const system = '/usr/bin/node';
    const old =
      existsSync(system) && /^v(1\d|2[01])\./.test(execFileSync(system, ['--version'], { encoding: 'utf8' }))
        ? await run(system, [BUNDLE, 'status'])
        : await run(process.execPath, [
            '-e',
            `Object.defineProperty(process.versions, 'node', { value: '20.11.0' }); require(${JSON.stringify(BUNDLE)})`,
            'status',
          ]);
    expect(old.code).toBe(2);
    expect(old.stdout).toBe('');
    expect(old.stderr).toMatch(
      /^error: kubectl-asmpvl needs Node\.js 22\.19\.0 or newer, and \S+ is Node\.js v\d+\.\d+\.\d+\.\nInstall a newer Node\.js, or install the self-contained plugin, which needs none: kubectl krew install asmpvl\n$/,
    );
  });

  test('each command loads only the sections it uses: no cloud SDK for status or validate, no Kubernetes client for a plain status', async () => {
    const sections = async (args: string[]) => {
      const result = await bundle(args, { ASMPVL_DEBUG_SECTIONS: '1' });
      return /asmpvl sections: (.*)/.exec(result.stderr)?.[1];
    };
    expect(await sections(['--version'])).toBe('main');
    expect(await sections(['--help'])).toBe('main');
    const manifest = join(REPO, 'test/fixtures/valid', readdirSync(join(REPO, 'test/fixtures/valid'))[0]!);
    expect(await sections(['validate', '-f', manifest])).toBe('main');
    // status reads the object directly over HTTPS: not even the Kubernetes client (engine/kube/direct-read.ts);
    // without an object, the client tells a missing CRD from a missing object.
    const status = ['status', '--kubeconfig', adminKubeconfig().path];
    expect(await sections(status)).toBe('main kube');
    await mustSucceed(kubectl(['create', '-f', manifest]), 'create asmpvlconfig/default');
    try {
      expect(await sections(status)).toBe('main');
    } finally {
      await mustSucceed(kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found']), 'delete default');
    }
  });

  test('node:https, tls and http load only when a command reads the API server', async () => {
    // A third of a bare Node start: --version, help and validate never need them.
    const probe = join(dir, 'https-probe.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => process.stderr.write('network modules: ' + process.moduleLoadList.filter((m) => /^NativeModule (https|tls|_http_client)$/.test(m)).length + '\\n'));",
    );
    const loaded = async (args: string[]) => {
      const result = await run(process.execPath, ['-r', probe, BUNDLE, ...args], {
        env: { XDG_CACHE_HOME: join(dir, 'cache') },
      });
      return /network modules: (\d+)/.exec(result.stderr)?.[1];
    };
    const manifest = join(REPO, 'test/fixtures/valid', readdirSync(join(REPO, 'test/fixtures/valid'))[0]!);
    expect(await loaded(['--version'])).toBe('0');
    expect(await loaded(['help'])).toBe('0');
    expect(await loaded(['validate', '-f', manifest])).toBe('0');
    expect(await loaded(['status', '--kubeconfig', adminKubeconfig().path])).toBe('3');
  });

  test('the code cache holds known command words only, and drops other builds', async () => {
    const cache = join(dir, 'bounded-cache');
    const stale = join(cache, 'asmpvl', '0000000000000000-cjs-main-status-v0-x64.v8cache');
    mkdirSync(dirname(stale), { recursive: true });
    writeFileSync(stale, 'old build');
    const env = { XDG_CACHE_HOME: cache };
    for (const typo of ['statsu', 'vresion', 'doctr']) expect((await bundle([typo], env)).code).toBe(2);
    expect(readdirSync(join(cache, 'asmpvl'))).toEqual([stale.split('/').pop()]);
    await bundle(['version'], env);
    await bundle(['version'], env);
    await bundle(['--version'], env);
    const files = readdirSync(join(cache, 'asmpvl'));
    expect(files).toHaveLength(2);
    expect(files.every((file) => /^[0-9a-f]{16}-cjs-main-(version|-)-v[\d.]+-\w+\.v8cache$/.test(file))).toBe(true);
  });
});

/** The shell block of the README that installs the plugin with krew, exactly as written there. */
function readmeKrewCommands(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('Install the plugin with krew'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block?.includes('kubectl krew install'))
    throw new Error('README.md: no krew install block after "Install the plugin with krew"');
  return block;
}

describe('the self-contained executable in its krew archive, installed as the README says', () => {
  let toolDir: string;
  let krewRoot: string;
  let clone: string;
  /** kubectl from the harness and krew (built from the Go module proxy) as kubectl-krew, on PATH. */
  let kubectlDir: string;

  beforeAll(async () => {
    toolDir = execFileSync('bash', [join(REPO, 'test/e2e/tools/krew-validate.sh')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    krewRoot = join(dir, 'krew');
    kubectlDir = join(dir, 'kubectl-bin');
    mkdirSync(kubectlDir, { recursive: true });
    execFileSync('ln', ['-sf', e2eEnvironment().kubectl, join(kubectlDir, 'kubectl')]);
    execFileSync('ln', ['-sf', join(toolDir, 'kubectl-krew'), join(kubectlDir, 'kubectl-krew')]);
    // A clean clone of the commit under test: nothing of this tree's dist/ or node_modules.
    clone = join(dir, 'clone');
    const head = execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    execFileSync('git', ['clone', '--quiet', '--no-checkout', REPO, clone]);
    execFileSync('git', ['-C', clone, 'checkout', '--quiet', head]);
  }, 600_000);

  test("asmpvl.yaml, the release template, passes krew's own validate-krew-manifest", async () => {
    const result = await run(join(toolDir, 'validate-krew-manifest'), [
      '-manifest',
      join(REPO, 'asmpvl.yaml'),
      '-skip-install',
    ]);
    expect(result.stderr).toContain('structural validation OK');
    expect(result.stderr).toContain('no overlapping spec.platform[].selector');
    expect(result.code).toBe(0);
  });

  test("the README's commands, as written, in a clean clone with a throwaway KREW_ROOT", async () => {
    const commands = readmeKrewCommands();
    // npm ci installs (the pinned Node among it), package:plugin builds the archives and dist/asmpvl.yaml.
    // Nothing leaves the machine: npm installs from its own cache (filled by this tree's npm ci),
    // package:plugin builds this machine's archive from the Node it runs on, and krew installs from the
    // archive and manifest given, with its check for a newer krew off.
    const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
    const result = await run('bash', ['-euo', 'pipefail', '-c', `cd "${clone}"\n${commands}`], {
      env: {
        KREW_ROOT: krewRoot,
        KREW_NO_UPGRADE_CHECK: '1',
        HOME: dir,
        PATH: `${join(krewRoot, 'bin')}:${kubectlDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
        KUBECONFIG: adminKubeconfig().path,
        npm_config_cache: npmCache,
        npm_config_offline: 'true',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
      },
      timeoutMs: 1_500_000,
    });
    expect(result.stderr).toContain('Installed plugin: asmpvl');
    // package:plugin prints what it built, and nothing of Node's or postject's chatter.
    expect(result.stderr).not.toContain("Can't find string offset");
    expect(result.stderr).not.toContain('Wrote single executable preparation blob');
    expect(result.stdout).toMatch(/^ {2}status +Show the PrivateLink links of every cluster$/m);
    expect(result.code).toBe(0);
    const archive = join(clone, 'dist', ARCHIVE.split('/').pop()!);
    const sha256 = execFileSync('sha256sum', [archive], { encoding: 'utf8' }).split(' ')[0]!;
    const written = parse(readFileSync(join(clone, 'dist/asmpvl.yaml'), 'utf8')) as {
      spec: { platforms: Array<{ uri: string; sha256: string }> };
    };
    // Only the platform built here, with the sha256 of the archive beside it.
    expect(written.spec.platforms.map(({ uri, sha256: sum }) => [uri.split('/').pop(), sum])).toEqual([
      [archive.split('/').pop(), sha256],
    ]);
    const files = readdirSync(join(krewRoot, 'store', 'asmpvl', `v${version}`)).sort();
    expect(files).toEqual(['LICENSE', 'kubectl-asmpvl', 'kubectl_complete-asmpvl']);
  }, 1_600_000);

  test('kubectl runs the installed plugin with no Node.js on PATH', async () => {
    const env = { PATH: `${join(krewRoot, 'bin')}:${kubectlDir}`, HOME: dir, KUBECONFIG: adminKubeconfig().path };
    // execFileSync: the harness's run() writes stdin, and a shell this quick may be gone first (EPIPE).
    expect(execFileSync('/bin/sh', ['-c', 'command -v node || echo none'], { env, encoding: 'utf8' })).toBe('none\n');
    const versionRun = await run(join(kubectlDir, 'kubectl'), ['asmpvl', 'version'], { env });
    expect(versionRun).toMatchObject({ code: 0, stdout: `kubectl-asmpvl ${version}\n` });
    const status = await run(join(kubectlDir, 'kubectl'), ['asmpvl', 'status'], { env });
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('there is no asmpvlconfig/default yet');
  });

  test("the completion caveat, run as krew prints it, links kubectl_complete-asmpvl into KREW_ROOT's bin", async () => {
    const caveats = (parse(readFileSync(join(clone, 'dist/asmpvl.yaml'), 'utf8')) as { spec: { caveats: string } }).spec
      .caveats;
    const link = caveats.split('\n').find((line) => line.trim().startsWith('ln -s'))!;
    const env = { KREW_ROOT: krewRoot, HOME: dir, PATH: `${join(krewRoot, 'bin')}:/usr/bin:/bin` };
    expect(await run('bash', ['-euo', 'pipefail', '-c', link.trim()], { env })).toMatchObject({ code: 0 });
    const completion = await run(join(krewRoot, 'bin', 'kubectl_complete-asmpvl'), ['sy'], { env });
    expect(completion.stdout).toMatch(/^sync-san\t.+\n:4\n$/);
    expect(existsSync(join(dir, '.krew'))).toBe(false);
  });
});
