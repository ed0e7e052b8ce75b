// Deletion never sticks at the webhook: on a real API server, with the chart's webhook
// configurations (webhook.url mode, the bundled webhook as a local process on 127.0.0.1), an object
// stored under one zone policy is still released by its finalizer's removal after the webhook went
// strict, and after the webhook went down under failurePolicy Fail. Spec changes stay judged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { installAsmpvlCrd, installWebhookRelease, kubectl, mustSucceed, type WebhookRelease } from './harness';

const RELEASE = 'asmpvl-e2e-deletion';
const NAMESPACE = 'asmpvl-system';
const HOLD = 'asmpvl.io/e2e-hold';
// Valid under the default policy (overlap: a warning), invalid under strict: an unpaired vSwitch.
const unpaired = parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'warning', 'unpaired-vswitches.yaml'), 'utf8'),
) as { metadata: Record<string, unknown> };

let release: WebhookRelease | undefined;

async function forceDelete(): Promise<void> {
  await kubectl(['patch', 'asmpvlconfig', 'default', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found', '--wait=true', '--timeout=30s']);
}

/** Creates the unpaired object holding a finalizer, the way a controller's would. */
async function createHeld(): Promise<void> {
  const object = { ...unpaired, metadata: { ...unpaired.metadata, finalizers: [HOLD] } };
  await mustSucceed(kubectl(['create', '-f', '-'], { input: stringify(object) }), 'create the held object');
}

const editSpec = () =>
  kubectl(['patch', 'asmpvlconfig', 'default', '--type=merge', '-p', '{"spec":{"sanSync":"Disabled"}}']);
const annotate = () => kubectl(['annotate', 'asmpvlconfig', 'default', 'e2e/note=kept', '--overwrite']);

/** Deletes the object, then removes the finalizer: the write a controller makes once it cleaned up. */
async function deleteAndRelease(): Promise<void> {
  await mustSucceed(kubectl(['delete', 'asmpvlconfig', 'default', '--wait=false']), 'delete');
  const released = await kubectl([
    'patch',
    'asmpvlconfig',
    'default',
    '--type=json',
    '-p',
    '[{"op":"remove","path":"/metadata/finalizers"}]',
  ]);
  expect(released.stderr).toBe('');
  expect(released.code).toBe(0);
  const gone = await kubectl(['get', 'asmpvlconfig', 'default', '--ignore-not-found', '-o', 'name']);
  expect(gone.stdout).toBe('');
}

beforeAll(async () => {
  await installAsmpvlCrd();
  await forceDelete();
});

afterEach(async () => {
  await forceDelete();
  await release?.uninstall();
  release = undefined;
});

test('an object stored under overlap is released after the webhook went strict; spec edits are judged by strict', async () => {
  release = await installWebhookRelease(RELEASE, NAMESPACE);
  await createHeld();
  await release.uninstall();
  release = await installWebhookRelease(RELEASE, NAMESPACE, ['--zone-policy', 'strict']);
  const edited = await editSpec();
  expect(edited.code).toBe(1);
  expect(edited.stderr).toMatch(/denied the request: .*serves no cluster/);
  // The stored spec is not what the strict rules would let in, but a write that leaves it alone passes.
  expect(await annotate()).toMatchObject({ code: 0 });
  await deleteAndRelease();
});

test('with the webhook down under failurePolicy Fail, metadata writes and the finalizer removal still pass', async () => {
  release = await installWebhookRelease(RELEASE, NAMESPACE);
  await createHeld();
  await release.webhook.stop();
  const edited = await editSpec();
  expect(edited.code).toBe(1);
  expect(edited.stderr).toMatch(/failed calling webhook/);
  expect(await annotate()).toMatchObject({ code: 0 });
  await deleteAndRelease();
});

test('the annotations standing for spec fields are judged like the spec: a misspelt deletion policy is refused, other annotations pass', async () => {
  release = await installWebhookRelease(RELEASE, NAMESPACE);
  await createHeld();
  const setPolicy = (value: string) =>
    kubectl(['annotate', 'asmpvlconfig', 'default', `asmpvl.io/deletion-policy=${value}`, '--overwrite']);
  const misspelt = await setPolicy('Delet');
  expect(misspelt.code).toBe(1);
  expect(misspelt.stderr).toContain(
    'metadata.annotations[asmpvl.io/deletion-policy]: must be Delete or Orphan (it stands for spec.deletionPolicy), got "Delet"',
  );
  expect(await setPolicy('Orphan')).toMatchObject({ code: 0 });
  // With the webhook down (failurePolicy Fail), a write of that annotation is refused, others pass:
  // the API server's matchConditions send only the former to the webhook.
  await release.webhook.stop();
  expect((await setPolicy('Delete')).stderr).toMatch(/failed calling webhook/);
  expect(await annotate()).toMatchObject({ code: 0 });
  await deleteAndRelease();
});
