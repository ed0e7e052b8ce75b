// npm run package:plugin [-- --update-manifest]
//
// Builds the krew release archive of the plugin: dist/kubectl-asmpvl-v<version>.tar.gz holding
// `kubectl-asmpvl` (the bundled dist/kubectl-asmpvl.cjs, executable) and `LICENSE`, the layout
// plugin.yaml declares. Prints the archive's path and sha256; --update-manifest also writes that
// sha256 into plugin.yaml. The archive is written here rather than by `tar` so that it is the same
// bytes on every machine (fixed order, times, owners and gzip header): the same build gives the
// same sha256. Before printing, it runs the packed file as krew would install it (no extension,
// no package.json next to it) to prove it starts.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const archivePath = join(root, 'dist', `kubectl-asmpvl-v${version}.tar.gz`);
const manifestPath = join(root, 'plugin.yaml');

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

/** Runs the packed plugin the way krew installs it: a file named kubectl-asmpvl, nothing beside it. */
function smokeTest(pluginFile) {
  const dir = mkdtempSync(join(tmpdir(), 'asmpvl-package-'));
  try {
    const installed = join(dir, 'kubectl-asmpvl');
    writeFileSync(installed, pluginFile);
    chmodSync(installed, 0o755);
    const printed = execFileSync(process.execPath, [installed, 'version'], {
      encoding: 'utf8',
      env: { ...process.env, ASMPVL_NO_COMPILE_CACHE: '1' },
    }).trim();
    if (printed !== `kubectl-asmpvl ${version}`)
      throw new Error(`the packed plugin printed "${printed}" for \`version\`, expected "kubectl-asmpvl ${version}"`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function updateManifest(sha256) {
  const manifest = readFileSync(manifestPath, 'utf8');
  const updated = manifest.replace(/^(\s*sha256: )"?[0-9a-f]{64}"?$/gm, `$1"${sha256}"`);
  if (!/^\s*version: v/m.test(updated) || !updated.includes(`v${version}`)) {
    throw new Error(`plugin.yaml does not name version v${version} (package.json); update its version and uri first`);
  }
  writeFileSync(manifestPath, updated);
}

execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const plugin = readFileSync(join(root, 'dist/kubectl-asmpvl.cjs'));
const license = readFileSync(join(root, 'LICENSE'));
smokeTest(plugin);
const archive = gzip(
  tar([
    { name: 'kubectl-asmpvl', content: plugin, mode: 0o755 },
    { name: 'LICENSE', content: license, mode: 0o644 },
  ]),
);
writeFileSync(archivePath, archive);
const sha256 = createHash('sha256').update(archive).digest('hex');
if (process.argv.includes('--update-manifest')) updateManifest(sha256);
console.log(
  `${archivePath}\nsha256 ${sha256}${process.argv.includes('--update-manifest') ? '\n(written into plugin.yaml)' : ''}`,
);
