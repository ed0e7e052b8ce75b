// The vendor's ASMPvlConfig CRD on a real API server: its schema holds only the resource's contract,
// so the server prunes every field asmpvl adds (spec.deletionPolicy and sanSync; status conditions,
// observedGeneration, lastHandledReconcileAt, mesh). The controller and the plugin keep them in
// annotations, which pruning never touches: kubectl apply alone converges, the plugin reads the
// conditions back, Orphan is honoured on delete, and doctor names the CRD as foreign.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apply, configFor, resetControllerState, type RunningController, startController } from './controller-sandbox';
import { CRD_NAME, installAsmpvlCrd, kubectl, mustSucceed } from './harness';
import { inventorySummary, type Sandbox, startSandbox, type StoredObject, waitFor } from './provisioning-sandbox';

const VENDOR_CRD = readFileSync(join(__dirname, 'fixtures', 'vendor-asmpvlconfig-crd.yaml'), 'utf8');
const KEPT_STATUS = 'asmpvl.io/status';

let sandbox: Sandbox;
let controller: RunningController | undefined;

async function installVendorCrd(): Promise<void> {
  // The vendor's CRD replaces asmpvl's: only a delete drops the printer columns and shortNames of ours.
  await mustSucceed(kubectl(['delete', 'crd', CRD_NAME, '--ignore-not-found', '--wait=true']), 'kubectl delete crd');
  await mustSucceed(kubectl(['apply', '-f', '-'], { input: VENDOR_CRD }), 'kubectl apply of the vendor CRD');
  await mustSucceed(
    kubectl(['wait', '--for=condition=Established', `crd/${CRD_NAME}`, '--timeout=60s']),
    'kubectl wait for the vendor CRD',
  );
}

/** A JSON object with asmpvl's spec fields given as annotations, as a user writes it for the vendor's CRD. */
function vendorConfig(clusters: string[], annotations: Record<string, string>): string {
  const object = JSON.parse(configFor(sandbox, clusters)) as {
    metadata: { annotations: Record<string, string> };
    spec: Record<string, unknown>;
  };
  delete object.spec.deletionPolicy;
  delete object.spec.sanSync;
  object.metadata.annotations = { ...object.metadata.annotations, ...annotations };
  return JSON.stringify(object);
}

beforeAll(async () => {
  sandbox = await startSandbox();
  await resetControllerState();
  await installVendorCrd();
});

afterAll(async () => {
  await controller?.stop();
  await resetControllerState();
  await mustSucceed(kubectl(['delete', 'crd', CRD_NAME, '--wait=true']), 'kubectl delete crd');
  await installAsmpvlCrd();
  await sandbox?.stop();
});

describe('the vendor CRD', () => {
  test('the API server prunes asmpvl spec fields and refuses them under kubectl strict validation', async () => {
    const object = JSON.parse(configFor(sandbox, [sandbox.clusters[0]], 'Orphan')) as { spec: object };
    const strict = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(object) });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('unknown field "spec.deletionPolicy"');
    const pruned = await mustSucceed(
      kubectl(['apply', '--dry-run=server', '--validate=false', '-o', 'json', '-f', '-'], {
        input: JSON.stringify(object),
      }),
      'kubectl apply --validate=false',
    );
    const stored = JSON.parse(pruned.stdout) as { spec: Record<string, unknown> };
    expect(Object.keys(stored.spec).sort()).toEqual(['ackVpcEndpoint', 'asmVpcEndpoint']);
  });

  test('the controller converges, keeps its status fields in an annotation, and honours Orphan from one', async () => {
    const [c1] = sandbox.clusters;
    controller = await startController(sandbox);
    const applied = vendorConfig([c1], { 'asmpvl.io/deletion-policy': 'Orphan' });
    await apply(applied);
    let last: StoredObject | undefined;
    await waitFor(
      async () => {
        last = await sandbox.object();
        return last?.status?.status === 'Available' && last.metadata.annotations?.[KEPT_STATUS] !== undefined;
      },
      'status Available and the kept-status annotation',
      90_000,
    );
    // What the server stores: the vendor's fields in status, asmpvl's beside it in the annotation.
    expect(last!.status!.conditions).toBeUndefined();
    expect(last!.status!.observedGeneration).toBeUndefined();
    expect(last!.status!.clusters!.map((cluster) => cluster.clusterId)).toEqual([c1]);
    const kept = JSON.parse(last!.metadata.annotations![KEPT_STATUS]!) as {
      observedGeneration: number;
      conditions: Array<{ type: string; status: string }>;
    };
    expect(kept.observedGeneration).toBe(last!.metadata.generation);
    expect(kept.conditions.find((condition) => condition.type === 'Ready')?.status).toBe('True');

    // What a GitOps tool compares: the applied manifest against the live object. The annotation the
    // controller added is not in the manifest, so kubectl diff (a three-way diff, as Argo CD's) is empty.
    const diff = await kubectl(['diff', '-f', '-'], { input: applied });
    expect({ code: diff.code, stdout: diff.stdout }).toEqual({ code: 0, stdout: '' });

    // The plugin reads the conditions back through the same store.
    const status = await sandbox.plugin(['status', '-o', 'json']);
    expect(status.code).toBe(0);
    const shown = JSON.parse(status.stdout) as { status?: { conditions?: Array<{ type: string; status: string }> } };
    expect(shown.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');

    // The controller's own annotation write did not wake it into more passes: the generation it saw
    // Available is the only one, and it stays converged.
    const reconciles = await controller.metric('asmpvl_controller_reconciles_total');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await controller.metric('asmpvl_controller_reconciles_total')).toBe(reconciles);

    await mustSucceed(
      kubectl(['delete', 'asmpvlconfig', 'default', '--wait=true', '--timeout=60s']),
      'kubectl delete asmpvlconfig default',
    );
    expect(inventorySummary(sandbox.inventory()).endpoints).toEqual([`apiserver/${c1}`, `pilot/${c1}`]);
  });

  test('doctor says the CRD is not asmpvl’s and which fields it prunes', async () => {
    const doctor = await sandbox.plugin(['doctor']);
    expect(doctor.stdout).toMatch(/CRD .*not installed by asmpvl/);
    expect(doctor.stdout).toContain('spec.deletionPolicy');
    expect(doctor.stdout).toContain('status.conditions');
  });
});
