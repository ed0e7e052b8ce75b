import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helm, kubectl, type CommandResult } from './commands';

const REPO = join(__dirname, '..', '..', '..');

/** The chart, the CRD generated into it, and the schema the CRD is generated from. */
export const CHART_DIR = join(REPO, 'charts', 'asmpvl');
export const CRD_NAME = 'asmpvlconfigs.istio.alibabacloud.com';
export const CRD_PATH = join(CHART_DIR, 'crds', `${CRD_NAME}.yaml`);
export const SCHEMA_PATH = join(REPO, 'schemas', 'asmpvlconfig.schema.json');

/** A CustomResourceDefinition as far as these tests read it. */
export interface CustomResourceDefinition {
  metadata: { name: string };
  spec: {
    names: { plural: string; shortNames?: string[] };
    versions: Array<{ name: string; additionalPrinterColumns?: Array<{ name: string; priority?: number }> }>;
  };
}

/** The generated CRD as a parsed object. */
export function readCrd(): CustomResourceDefinition {
  return readSingleDocument(readFileSync(CRD_PATH, 'utf8'), CRD_PATH) as CustomResourceDefinition;
}

/**
 * The CRD YAML to install: what helm itself finds in the chart's crds/ folder when the chart
 * exists (and it must be exactly the generated file), else the generated file.
 */
export async function crdManifest(): Promise<string> {
  const fromFile = readFileSync(CRD_PATH, 'utf8');
  if (!existsSync(join(CHART_DIR, 'Chart.yaml'))) return fromFile;
  const shown = await mustSucceed(helm(['show', 'crds', CHART_DIR]), 'helm show crds');
  const fromChart = readSingleDocument(shown.stdout, `helm show crds ${CHART_DIR}`);
  if (JSON.stringify(fromChart) !== JSON.stringify(readSingleDocument(fromFile, CRD_PATH))) {
    throw new Error(
      `helm show crds ${CHART_DIR} does not print ${CRD_PATH} as generated; regenerate it (npm run gen).`,
    );
  }
  return shown.stdout;
}

/**
 * Installs the ASMPvlConfig CRD and waits until it is Established. Idempotent, so every e2e
 * file that needs the CRD can call it. Server-side apply: a CRD of this size overflows the
 * last-applied annotation that client-side apply writes.
 */
export async function installAsmpvlCrd(): Promise<void> {
  const manifest = await crdManifest();
  await mustSucceed(
    kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=asmpvl-e2e', '-f', '-'], {
      input: manifest,
    }),
    'kubectl apply of the CRD',
  );
  await mustSucceed(
    kubectl(['wait', '--for=condition=Established', `crd/${CRD_NAME}`, '--timeout=60s']),
    'kubectl wait for the CRD',
  );
}

/**
 * Writes `status` into asmpvlconfig/default through its /status subresource (a merge patch), as
 * `fieldManager` when given. The patch goes in a file: a status of hundreds of clusters is too long
 * for an argument.
 */
export async function patchStatus(status: unknown, options: { fieldManager?: string } = {}): Promise<CommandResult> {
  const dir = mkdtempSync(join(tmpdir(), 'asmpvl-status-'));
  try {
    const patch = join(dir, 'status.json');
    writeFileSync(patch, JSON.stringify({ status }));
    return await mustSucceed(
      kubectl([
        'patch',
        'asmpvlconfig',
        'default',
        '--subresource=status',
        '--type=merge',
        ...(options.fieldManager ? [`--field-manager=${options.fieldManager}`] : []),
        '--patch-file',
        patch,
      ]),
      'kubectl patch --subresource=status',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Deletes asmpvlconfig/default if it exists and waits until it is gone. Only the object named
 * default counts, so each file that uses it owns it while it runs (files run one at a time).
 */
export async function deleteDefaultConfig(timeoutSeconds = 30): Promise<void> {
  await mustSucceed(
    kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found', '--wait=true', `--timeout=${timeoutSeconds}s`]),
    'delete asmpvlconfig/default',
  );
}

/** Throws with the command's stderr unless it exited 0. */
export async function mustSucceed(pending: Promise<CommandResult>, what: string): Promise<CommandResult> {
  const result = await pending;
  if (result.code !== 0) throw new Error(`${what} failed with exit code ${result.code}:\n${result.stderr}`);
  return result;
}

function readSingleDocument(text: string, source: string): unknown {
  const documents = parseAllDocuments(text).filter((document) => document.contents !== null);
  if (documents.length !== 1)
    throw new Error(`${source} should hold exactly one YAML document, found ${documents.length}.`);
  return documents[0]!.toJS();
}
