// Bundles each executable into one CommonJS file under dist/, so the plugin starts fast (one file to
// load, no module resolution) and ships as a single file (krew, npm bin).
import { chmod, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

const executables = [
  { entry: 'plugin/main.ts', outfile: 'dist/kubectl-asmpvl.cjs' },
  { entry: 'webhook/main.ts', outfile: 'dist/asmpvl-webhook.cjs' },
];

for (const { entry, outfile } of executables) {
  if (!existsSync(entry)) continue;
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    define: { ASMPVL_VERSION: JSON.stringify(version) },
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  console.log(`built ${outfile}`);
}
