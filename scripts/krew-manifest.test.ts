// The committed krew manifest is the release template: it must name this version, one archive per
// platform under the release's uri, and the layout package-plugin.mjs writes into each archive.
// krew's own validator checks it end to end (test/e2e/plugin-package.e2e.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

interface Platform {
  selector: { matchLabels: { os: string; arch: string } };
  uri: string;
  sha256: string;
  files: Array<{ from: string; to: string }>;
  bin: string;
}
const manifest = parse(readFileSync(join(root, 'asmpvl.yaml'), 'utf8')) as {
  metadata: { name: string };
  spec: { version: string; caveats: string; platforms: Platform[] };
};

test('names the version of package.json', () => {
  expect(manifest.metadata.name).toBe('asmpvl');
  expect(manifest.spec.version).toBe(`v${version}`);
});

test.each(manifest.spec.platforms.map((platform) => [platform.selector.matchLabels, platform] as const))(
  '%j: the release archive of that platform, its layout, a placeholder sha256',
  ({ os, arch }, platform) => {
    const exe = os === 'windows' ? 'kubectl-asmpvl.exe' : 'kubectl-asmpvl';
    expect(platform.uri).toBe(
      `https://github.com/asmpvl/asmpvl/releases/download/v${version}/kubectl-asmpvl-v${version}-${os}-${arch}.tar.gz`,
    );
    expect(platform.sha256).toBe('0'.repeat(64));
    expect(platform.files).toEqual([
      { from: exe, to: '.' },
      { from: 'kubectl_complete-asmpvl', to: '.' },
      { from: 'LICENSE', to: '.' },
    ]);
    expect(platform.bin).toBe(exe);
  },
);

test("the completion caveat links into krew's bin wherever KREW_ROOT puts it", () => {
  expect(manifest.spec.caveats).toContain('"${KREW_ROOT:-$HOME/.krew}/bin/"');
  expect(manifest.spec.caveats).not.toContain('~/.krew');
});
