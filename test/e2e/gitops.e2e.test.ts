// What GitOps tools see of asmpvlconfig/default, read by their own code on real objects: kstatus
// (sigs.k8s.io/cli-utils, as Flux and kstatus-based waits read an object) and the chart's Argo CD
// health check run by gopher-lua as Argo CD runs it, both built from Go modules by
// tools/gitops-tools.sh (the e2e global setup runs it). The objects come from the shared API
// server, written by asmpvl-controller against the cloud emulator: InProgress/Progressing while provisioning, Current/Healthy once
// Available, Failed/Degraded for a cluster the cloud does not have. And its Events, kept as
// client-go keeps them: one object per reason and message, whose count rises.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apply,
  configEventObjects,
  configFor,
  resetControllerState,
  type RunningController,
  startController,
} from './controller-sandbox';
import { CHART_DIR, kubectl, mustSucceed, run } from './harness';
import { GITOPS_BIN_DIR_ENV } from './harness/environment';
import { FAST_DELAYS, type Sandbox, startSandbox, waitFor } from './provisioning-sandbox';

const HEALTH_LUA = join(CHART_DIR, 'argocd', 'health.lua');
const CASES = join(__dirname, 'fixtures', 'gitops', 'health-cases.json');
// A cluster id of the right shape that no account in the emulator's world has.
const UNKNOWN_CLUSTER = 'c0123456789abcdef0123456789abcdef';

interface Reading {
  status: string;
  message: string;
}

interface HealthCase {
  name: string;
  object: Record<string, unknown>;
  kstatus?: string;
  argocd?: Reading;
}

let tools = '';
let sandbox: Sandbox;
let controller: RunningController | undefined;

/** kstatus and argocd-health, from the directory the e2e global setup built them into (or was given). */
function gitopsTools(): string {
  const dir = process.env[GITOPS_BIN_DIR_ENV];
  const missing = ['kstatus', 'argocd-health'].filter((tool) => !dir || !existsSync(join(dir, tool)));
  if (missing.length === 0) return dir!;
  throw new Error(
    `${GITOPS_BIN_DIR_ENV}=${dir ?? ''} lacks ${missing.join(' and ')}: run this file through the e2e jest project, ` +
      'whose global setup builds them with test/e2e/tools/gitops-tools.sh, or point the variable at a directory holding both.',
  );
}

/** How kstatus reads an object (JSON text). */
async function kstatus(json: string): Promise<Reading> {
  const result = await mustSucceed(run(join(tools, 'kstatus'), [], { input: json }), 'kstatus');
  return JSON.parse(result.stdout) as Reading;
}

/** What the chart's Argo CD health check says of an object (JSON text). */
async function argocdHealth(json: string, script = HEALTH_LUA): Promise<Reading> {
  const result = await mustSucceed(run(join(tools, 'argocd-health'), [script], { input: json }), 'argocd-health');
  return JSON.parse(result.stdout) as Reading;
}

/** asmpvlconfig/default as the API server returns it, and what each tool reads of it. */
async function readObject(): Promise<{ object: any; kstatus: Reading; argocd: Reading }> {
  const got = await mustSucceed(kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json']), 'kubectl get');
  const [byKstatus, byArgocd] = await Promise.all([kstatus(got.stdout), argocdHealth(got.stdout)]);
  return { object: JSON.parse(got.stdout), kstatus: byKstatus, argocd: byArgocd };
}

const conditionOf = (object: any, type: string) =>
  (object?.status?.conditions ?? []).find((condition: { type: string }) => condition.type === type);

beforeAll(async () => {
  tools = gitopsTools();
  // Slower endpoints than the other suites: provisioning lasts long enough to be read a few times.
  sandbox = await startSandbox({ ...FAST_DELAYS, endpointCreateMs: 2_500, connectMs: 1_500 });
  await sandbox.deleteObject();
  await resetControllerState();
}, 60_000);

afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  await resetControllerState();
  sandbox.emulator.reset();
});

afterAll(async () => {
  await resetControllerState();
  await sandbox?.stop();
});

describe('the Argo CD health check and kstatus on fixture objects', () => {
  const cases = JSON.parse(readFileSync(CASES, 'utf8')) as HealthCase[];

  test.each(cases.map((fixture) => [fixture.name, fixture] as const))('%s', async (_, fixture) => {
    const json = JSON.stringify(fixture.object);
    if (fixture.kstatus) expect((await kstatus(json)).status).toBe(fixture.kstatus);
    if (fixture.argocd) expect(await argocdHealth(json)).toEqual(fixture.argocd);
  });

  test('the runner runs a script as Argo CD does: no string library, an unknown status read as Unknown', async () => {
    const scripts = mkdtempSync(join(tmpdir(), 'asmpvl-lua-'));
    try {
      const object = JSON.stringify(cases[0]!.object);
      const withString = join(scripts, 'string.lua');
      writeFileSync(withString, 'return { status = string.upper("healthy") }\n');
      const refused = await run(join(tools, 'argocd-health'), [withString], { input: object });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("attempt to index a non-table object(nil) with key 'upper'");
      const unknown = join(scripts, 'unknown.lua');
      writeFileSync(unknown, 'return { status = "Fine", message = "?" }\n');
      expect(await argocdHealth(object, unknown)).toEqual({
        status: 'Unknown',
        message: 'Lua returned an invalid health status',
      });
    } finally {
      rmSync(scripts, { recursive: true, force: true });
    }
  });
});

describe('asmpvl-controller, read by kstatus and by the Argo CD health check', () => {
  test('InProgress/Progressing while provisioning, then Current/Healthy once Available', async () => {
    const [c1] = sandbox.clusters;
    controller = await startController(sandbox, { leaderElect: false });
    await apply(configFor(sandbox, [c1]));
    const seen: Array<{ written: boolean; status?: string; ready?: string; kstatus: string; argocd: string }> = [];
    let last: Awaited<ReturnType<typeof readObject>> | undefined;
    await waitFor(
      async () => {
        last = await readObject();
        seen.push({
          written: last.object.status !== undefined,
          status: last.object.status?.status,
          ready: conditionOf(last.object, 'Ready')?.status,
          kstatus: last.kstatus.status,
          argocd: last.argocd.status,
        });
        return last.object.status?.status === 'Available' && last.kstatus.status === 'Current';
      },
      'Available, read as Current',
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; readings: ${JSON.stringify(seen.slice(-5))}`);
    });
    // Every reading before Available: Progressing to Argo CD and, once the controller has written
    // anything, InProgress to kstatus. Before its first write the object has no status, which kstatus
    // itself reads as Current (its rule for an object without status or conditions).
    const before = seen.filter((reading) => reading.status !== 'Available');
    expect(before.length).toBeGreaterThan(0);
    expect(before.some((reading) => reading.status === 'Provisioning')).toBe(true);
    for (const reading of before) {
      expect(reading).toMatchObject({ argocd: 'Progressing', kstatus: reading.written ? 'InProgress' : 'Current' });
    }
    expect(last!.argocd).toEqual({
      status: 'Healthy',
      message: 'all 1 cluster(s) connected both ways and running in the mesh',
    });
    expect(conditionOf(last!.object, 'Reconciling')).toBeUndefined();
    expect(conditionOf(last!.object, 'Stalled')).toBeUndefined();
    // kubectl wait, as the README shows it, agrees.
    await mustSucceed(
      kubectl(['wait', '--for=condition=Ready', 'asmpvlconfig/default', '--timeout=5s']),
      'kubectl wait --for=condition=Ready',
    );
    console.log(
      `readings before Available: ${before.length} (${[...new Set(before.map((reading) => reading.status ?? 'no status'))].join(', ')}), ${before.filter((reading) => !reading.written).length} before the controller's first write`,
    );
  }, 150_000);

  test('a cluster the cloud does not have: Stalled, Failed to kstatus, Degraded to Argo CD; its Events counted, not multiplied', async () => {
    const [c1] = sandbox.clusters;
    const config = JSON.parse(configFor(sandbox, [c1])) as { spec: { ackVpcEndpoint: Array<{ clusterId: string }> } };
    config.spec.ackVpcEndpoint.push({ ...config.spec.ackVpcEndpoint[0]!, clusterId: UNKNOWN_CLUSTER });
    controller = await startController(sandbox, { leaderElect: false });
    await apply(JSON.stringify(config));
    let last: Awaited<ReturnType<typeof readObject>> | undefined;
    await waitFor(
      async () => {
        last = await readObject();
        return last.kstatus.status === 'Failed';
      },
      'kstatus Failed',
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last conditions: ${JSON.stringify(last?.object.status?.conditions)}`);
    });
    const stalled = conditionOf(last!.object, 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', observedGeneration: last!.object.metadata.generation });
    expect(stalled.reason).toMatch(/^(ErrorClusterNotFound|ClusterNotFound)$/);
    expect(stalled.message).toContain(UNKNOWN_CLUSTER);
    expect(conditionOf(last!.object, 'Reconciling')).toBeUndefined();
    expect(conditionOf(last!.object, 'Ready')).toMatchObject({ status: 'False' });
    expect(last!.kstatus.message).toBe(stalled.message);
    expect(last!.argocd).toEqual({ status: 'Degraded', message: stalled.message });

    // The controller keeps retrying with backoff (2 s, 4 s, 8 s, ...): each failed reconcile records
    // the same Warning again, which raises one Event's count instead of adding an object.
    await waitFor(
      async () => (await controller!.metric('asmpvl_controller_reconciles_total', { result: 'failed' })) >= 4,
      'four failed reconciles',
      60_000,
    );
    const failed = await controller.metric('asmpvl_controller_reconciles_total', { result: 'failed' });
    const events = await configEventObjects();
    const warnings = events.filter((event) => event.type === 'Warning' && event.reason === 'ReconcileFailed');
    expect(events.every((event) => event.metadata.namespace === 'default')).toBe(true);
    expect(warnings.length).toBeGreaterThan(0);
    // One object per reason and message (request ids aside).
    const identities = warnings.map((event) => event.message.replace(/(request id )[^\s,;)]+/gi, '$1…'));
    expect(new Set(identities).size).toBe(warnings.length);
    const counted = warnings.reduce((sum, event) => sum + (event.count ?? 1), 0);
    expect(counted).toBeGreaterThanOrEqual(failed);
    const repeated = warnings.find((event) => (event.count ?? 1) >= 3)!;
    expect(repeated).toBeDefined();
    expect(repeated.message).toContain(UNKNOWN_CLUSTER);
    expect(Date.parse(repeated.lastTimestamp!)).toBeGreaterThan(Date.parse(repeated.firstTimestamp!));
    console.log(
      `${failed} failed reconciles: ${warnings.length} ReconcileFailed Event object(s), counts ${warnings.map((event) => event.count).join(', ')}`,
    );

    // The change that clears it: the unknown cluster out of the spec. Stalled goes, Current and Healthy.
    await apply(configFor(sandbox, [c1]));
    await waitFor(
      async () => {
        last = await readObject();
        return last.kstatus.status === 'Current';
      },
      'kstatus Current after the fix',
      90_000,
    );
    expect(last!.argocd.status).toBe('Healthy');
    expect(conditionOf(last!.object, 'Stalled')).toBeUndefined();
  }, 240_000);
});
