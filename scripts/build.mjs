// Bundles each executable under dist/. The plugin is bundled in sections so that a command loads
// only what it uses (see pluginSections), and written twice from the same sections: as one file,
// dist/kubectl-asmpvl.cjs, for npm/npx users with Node.js, and as the inputs of the self-contained
// executable (dist/sea/), which scripts/package-plugin.mjs injects into Node binaries.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

const { version, engines } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const minimumNode = /^>=(\d+\.\d+\.\d+)$/.exec(engines.node)?.[1];
if (!minimumNode) throw new Error(`package.json engines.node must read ">=X.Y.Z" (got ${engines.node})`);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { ASMPVL_VERSION: JSON.stringify(version) },
};

/**
 * Which packages are a section of their own, loaded only when a command first requires them: the
 * Kubernetes client (~0.5 MB) and the Alibaba Cloud SDKs with their HTTP stack (~4.7 MB of the
 * 6.7 MB). `--version` and `--help` load neither, `validate` neither, `status` only the first.
 */
function sectionOf(specifier) {
  if (specifier.startsWith('@kubernetes/')) return 'kube';
  if (specifier.startsWith('@alicloud/') || specifier.startsWith('@darabonba/')) return 'cloud';
  return undefined;
}
const SECTION_PACKAGES = ['@kubernetes/*', '@alicloud/*', '@darabonba/*'];

/**
 * The names each section package is imported by in the plugin's sources, or no entry for a package
 * that some file imports whole (a namespace or default import).
 */
function importedNames(files, specifiers) {
  const names = {};
  const whole = new Set();
  for (const file of files.filter((f) => /\.[cm]?tsx?$/.test(f) && !f.includes('node_modules/'))) {
    const source = readFileSync(file, 'utf8');
    for (const specifier of specifiers) {
      const quoted = specifier.replace(/[/.*+?^${}()|[\]\\]/g, '\\$&');
      for (const match of source.matchAll(new RegExp(`^import\\s+(type\\s+)?([^;]*?)\\s+from\\s+'${quoted}'`, 'gm'))) {
        if (match[1]) continue;
        const named = /^\{([^}]*)\}$/.exec(match[2].trim());
        if (!named) whole.add(specifier);
        for (const name of named?.[1].split(',') ?? []) {
          const trimmed = name.trim();
          if (trimmed === '' || trimmed.startsWith('type ')) continue;
          (names[specifier] ??= new Set()).add(trimmed.split(/\s+as\s+/)[0]);
        }
      }
    }
  }
  for (const specifier of whole) delete names[specifier];
  return names;
}

/** The plugin's sections: `main` (the CLI, the core, the engine's code) and one per heavy package group. */
async function pluginSections() {
  const main = await build({
    ...common,
    entryPoints: ['plugin/main.ts'],
    external: SECTION_PACKAGES,
    write: false,
    metafile: true,
    outfile: 'dist/kubectl-asmpvl.main.cjs',
  });
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  const required = new Set(
    Object.values(main.metafile.inputs)
      .flatMap((input) => input.imports)
      .filter((i) => i.external && !builtins.has(i.path) && i.path !== '<runtime>')
      .map((i) => i.path),
  );
  const externals = {};
  for (const specifier of required) {
    const section = sectionOf(specifier);
    if (!section)
      throw new Error(`${specifier} is external to the plugin bundle but in no section (build.mjs sectionOf)`);
    externals[specifier] = section;
  }
  const sections = { main: main.outputFiles[0].text };
  const used = importedNames(Object.keys(main.metafile.inputs), Object.keys(externals));
  for (const section of new Set(Object.values(externals))) {
    const specifiers = Object.keys(externals).filter((s) => externals[s] === section);
    // Each section exports its packages by specifier, and the loader hands them to `require` in
    // main. A package imported only by name is re-exported by those names, so that an ES module
    // package (client-node: 4.2 MB whole) is tree-shaken to what the plugin calls (~0.5 MB).
    const virtual = {
      name: 'section-entries',
      setup(builder) {
        builder.onResolve({ filter: /^section-entry:/ }, (args) => ({ path: args.path.slice(14), namespace: 'entry' }));
        builder.onLoad({ filter: /.*/, namespace: 'entry' }, (args) => ({
          contents: used[args.path]
            ? `export { ${[...used[args.path]].join(', ')} } from ${JSON.stringify(args.path)};`
            : `module.exports = require(${JSON.stringify(args.path)});`,
          resolveDir: process.cwd(),
          loader: 'js',
        }));
      },
    };
    const contents = `module.exports = {${specifiers.map((s) => `${JSON.stringify(s)}: require(${JSON.stringify(`section-entry:${s}`)})`).join(',')}};`;
    const result = await build({
      ...common,
      stdin: { contents, resolveDir: process.cwd(), sourcefile: `section-${section}.cjs`, loader: 'js' },
      plugins: [virtual],
      write: false,
      outfile: `dist/kubectl-asmpvl.${section}.cjs`,
    });
    sections[section] = result.outputFiles[0].text;
  }
  for (const [name, text] of Object.entries(sections)) {
    // The bundled file carries sections in line comments: a line ends at any line terminator, and
    // the loader reads them back as latin1.
    if (/[^\x00-\x7f]|\r/.test(text))
      throw new Error(`plugin section ${name} must be ASCII without carriage returns to be carried in line comments`);
  }
  return { sections, externals };
}

/**
 * The loader both forms of the plugin start from: it checks the Node.js version (the bundled file
 * only; written without newer syntax so that an old Node reaches that check), then compiles the
 * `main` section, and any other section when `main` first requires one of its packages, each
 * with a V8 code cache from the user's cache directory.
 *
 * Why a code cache of our own: the plugin is a fresh process on every kubectl call. Node's compile
 * cache (module.enableCompileCache) caches no lazily compiled function and cannot cover the file
 * Node starts from; this one is written after a run without a usable cache and holds every
 * function that run compiled, so it is keyed by section and command word. Only a word the CLI
 * recognised gets a cache (a typo writes nothing), and writing one removes the caches of other
 * builds, so the directory holds at most sections x commands files. The cache is per user (never
 * a shared /tmp), per build, Node version and architecture, and V8 itself refuses data that does
 * not match. ASMPVL_NO_COMPILE_CACHE=1 turns it off.
 */
function loader({ buildId, externals, readSection, checkNode, form }) {
  const nodeCheck = checkNode
    ? `(function () {
  var have = process.versions.node.split('.').map(Number);
  var need = ${JSON.stringify(minimumNode.split('.').map(Number))};
  for (var i = 0; i < 3; i++) {
    if (have[i] > need[i]) return;
    if (have[i] < need[i]) {
      process.stderr.write('error: kubectl-asmpvl needs Node.js ${minimumNode} or newer, and ' + process.execPath + ' is Node.js ' + process.version + '.\\n' +
        'Install a newer Node.js, or install the self-contained plugin, which needs none: kubectl krew install asmpvl\\n');
      process.exit(2);
    }
  }
})();
`
    : '';
  return `'use strict';
// Generated by scripts/build.mjs: loads the plugin's sections with a V8 code cache (see loader() there).
${nodeCheck}const fs = require('node:fs');
const { join } = require('node:path');
const vm = require('node:vm');
const { wrap } = require('node:module');
const BUILD = '${buildId}';
const FORM = '${form}';
const EXTERNALS = ${JSON.stringify(externals)};
${readSection}
const launcher = { command: undefined, sections: [] };
globalThis[Symbol.for('asmpvl.launcher')] = launcher;
const word = process.argv.slice(2).find((arg) => !arg.startsWith('-')) || '';
const cacheWord = /^[a-z][a-z-]{0,30}$/.test(word) ? word : '-';
let cacheDir;
if (!process.env.ASMPVL_NO_COMPILE_CACHE) {
  // No home directory: run without a cache rather than not at all.
  try { cacheDir = join(process.env.XDG_CACHE_HOME || join(require('node:os').homedir(), '.cache'), 'asmpvl'); } catch {}
}
const unsaved = [];
const loaded = new Map();
function load(section) {
  if (loaded.has(section)) return loaded.get(section);
  launcher.sections.push(section);
  // The executable's V8 refuses the bundle's cache and the other way round (their flags differ).
  const cacheFile = cacheDir && join(cacheDir, BUILD + '-' + FORM + '-' + section + '-' + cacheWord + '-' + process.version + '-' + process.arch + '.v8cache');
  let cachedData;
  if (cacheFile) try { cachedData = fs.readFileSync(cacheFile); } catch {}
  const script = new vm.Script(wrap(readSection(section)), { filename: 'kubectl-asmpvl/' + section + '.js', cachedData });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) unsaved.push({ script, cacheFile });
  const module = { exports: {} };
  loaded.set(section, module.exports);
  script.runInThisContext()(module.exports, sectionRequire, module, __filename, __dirname);
  loaded.set(section, module.exports);
  return module.exports;
}
function sectionRequire(specifier) {
  const section = EXTERNALS[specifier];
  return section ? load(section)[specifier] : baseRequire(specifier);
}
process.once('exit', () => {
  if (unsaved.length === 0 || launcher.command !== word) return;
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    for (const old of fs.readdirSync(cacheDir)) if (!old.startsWith(BUILD)) fs.rmSync(join(cacheDir, old), { force: true });
    for (const { script, cacheFile } of unsaved) {
      const partial = cacheFile + '.' + process.pid;
      fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(partial, cacheFile);
    }
  } catch {}
});
load('main');
`;
}

/** Section text carried in the bundled file, one line comment per line. */
function commented(text) {
  return `${text
    .split('\n')
    .map((line) => `//${line}`)
    .join('\n')}\n`;
}

/**
 * dist/kubectl-asmpvl.cjs: the loader, then each section in line comments (which V8 skips almost
 * for free, unlike a large string literal). The loader reads a section back by its byte range,
 * written into the loader as fixed-width numbers so that the ranges do not move the sections.
 */
function bundledFile(sections, externals, buildId) {
  const names = Object.keys(sections);
  const bodies = names.map((name) => commented(sections[name]));
  const placeholder = (i) => `_________${i}_`;
  const rangesFor = (offsets) =>
    `const RANGES = {${names.map((name, i) => `${name}: [${offsets[i]}, ${bodies[i].length}]`).join(', ')}};`;
  const readSection = `${rangesFor(names.map((_, i) => placeholder(i)))}
const baseRequire = require;
function readSection(name) {
  const [offset, length] = RANGES[name];
  const fd = fs.openSync(__filename, 'r');
  const buffer = Buffer.allocUnsafe(length);
  try { fs.readSync(fd, buffer, 0, length, offset); } finally { fs.closeSync(fd); }
  return buffer.latin1Slice(0, length).replaceAll('\\n//', '\\n').slice(2);
}`;
  const head = `#!/usr/bin/env node\n${loader({ buildId, externals, readSection, checkNode: true, form: 'cjs' })}`;
  let offset = head.length;
  let text = head;
  names.forEach((name, i) => {
    text = text.replace(placeholder(i), String(offset).padStart(11, ' '));
    offset += bodies[i].length;
  });
  if (text.length !== head.length) throw new Error('section offsets changed the loader length');
  return text + bodies.join('');
}

/** dist/sea/: the executable's main script (the loader reading sections from its assets) and its config. */
async function seaInputs(sections, externals, buildId) {
  await rm('dist/sea', { recursive: true, force: true });
  await mkdir('dist/sea', { recursive: true });
  const readSection = `const sea = require('node:sea');
const baseRequire = require('node:module').createRequire(process.execPath);
function readSection(name) { return sea.getAsset(name, 'utf8'); }`;
  await writeFile('dist/sea/launcher.cjs', loader({ buildId, externals, readSection, checkNode: false, form: 'sea' }));
  const assets = {};
  for (const [name, text] of Object.entries(sections)) {
    await writeFile(`dist/sea/section-${name}.cjs`, text);
    assets[name] = `section-${name}.cjs`;
  }
  // The blob is written for the Node that runs the build and injected into binaries of that same
  // version (package-plugin.mjs checks). No code cache or snapshot in the blob: both are specific to
  // the architecture that makes them, and the loader keeps a better cache per user anyway.
  const config = { main: 'launcher.cjs', output: 'blob', disableExperimentalSEAWarning: true, assets };
  await writeFile('dist/sea/sea-config.json', `${JSON.stringify(config, null, 2)}\n`);
}

await mkdir('dist', { recursive: true });
const { sections, externals } = await pluginSections();
const buildId = createHash('sha256').update(Object.values(sections).join('\0')).digest('hex').slice(0, 16);
await writeFile('dist/kubectl-asmpvl.cjs', bundledFile(sections, externals, buildId));
await chmod('dist/kubectl-asmpvl.cjs', 0o755);
await seaInputs(sections, externals, buildId);
console.log(
  `built dist/kubectl-asmpvl.cjs (sections: ${Object.entries(sections)
    .map(([name, text]) => `${name} ${Math.round(text.length / 1024)} KB`)
    .join(', ')}) and dist/sea/`,
);

if (existsSync('webhook/main.ts')) {
  await build({
    ...common,
    entryPoints: ['webhook/main.ts'],
    outfile: 'dist/asmpvl-webhook.cjs',
    banner: { js: '#!/usr/bin/env node' },
  });
  await chmod('dist/asmpvl-webhook.cjs', 0o755);
  console.log('built dist/asmpvl-webhook.cjs');
}

if (existsSync('controller/main.ts')) {
  await build({
    ...common,
    entryPoints: ['controller/main.ts'],
    outfile: 'dist/asmpvl-controller.cjs',
    banner: { js: '#!/usr/bin/env node' },
  });
  await chmod('dist/asmpvl-controller.cjs', 0o755);
  console.log('built dist/asmpvl-controller.cjs');
}
