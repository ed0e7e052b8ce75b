// Hostile objects through the real API server: a dry-run create whose metadata.managedFields are nested
// thousands of levels deep (the API server passes fieldsV1 through untouched) once made the webhook
// exit and every write answer "failed calling webhook ... EOF". Now it is answered like the same object
// without them, and the webhook keeps serving.
import { NAME_RULE_MESSAGE } from '../../core';
import { nestedJson } from '../arbitraries/hostile';
import { loadFixture } from '../fixtures';
import { type WebhookProcess } from '../support/webhook-process';
import { installWebhookRelease, kubectl, type WebhookRelease } from './harness';

const RELEASE = 'asmpvl-e2e-hostile';
const NAMESPACE = 'asmpvl-hostile';
const DEPTH = 3_000;

let webhook: WebhookProcess | undefined;
let release: WebhookRelease | undefined;

/** The object as JSON text with `fieldsV1` nested DEPTH levels deep (JSON.stringify cannot write it). */
function withDeepManagedFields(object: { metadata: Record<string, unknown> }): string {
  const copy = structuredClone(object);
  copy.metadata.managedFields = [
    {
      manager: 'attacker',
      operation: 'Update',
      apiVersion: 'istio.alibabacloud.com/v1beta1',
      fieldsType: 'FieldsV1',
      fieldsV1: '@deep',
    },
  ];
  return JSON.stringify(copy).replace('"@deep"', nestedJson(DEPTH));
}

beforeAll(async () => {
  release = await installWebhookRelease(RELEASE, NAMESPACE);
  webhook = release.webhook;
});

afterAll(async () => {
  await release?.uninstall();
});

test(`a dry-run create with managedFields ${DEPTH} levels deep is answered, and the webhook still serves`, async () => {
  const valid = loadFixture('valid/one-cluster.yaml') as { metadata: Record<string, unknown> };
  const created = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: withDeepManagedFields(valid) });
  expect(created.stderr).not.toMatch(/failed calling webhook/);
  expect(created).toMatchObject({
    code: 0,
    stdout: 'asmpvlconfig.istio.alibabacloud.com/default created (server dry run)\n',
  });

  // The webhook judged it (not merely survived it): the same deep object under another name is denied in our words.
  const renamed = structuredClone(valid);
  renamed.metadata.name = 'foo';
  const denied = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: withDeepManagedFields(renamed) });
  expect(denied.code).toBe(1);
  expect(denied.stderr).toContain(NAME_RULE_MESSAGE);

  expect(webhook!.child.exitCode).toBeNull();
  expect((await webhook!.send('GET', '/healthz')).status).toBe(200);
  const again = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(valid) });
  expect(again).toMatchObject({ code: 0 });
});
