// The admission webhook on a real API server: the chart is installed with helm in webhook.url mode,
// the bundled webhook runs as a local process on 127.0.0.1, and kubectl sees its defaults, denials
// and warnings exactly as a user would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { NAME_RULE_MESSAGE } from '../../core';
import { loadFixture } from '../fixtures';
import {
  installAsmpvlCrd,
  installWebhookRelease,
  kubectl,
  mustSucceed,
  type WebhookRelease,
  deleteDefaultConfig,
} from './harness';

const REPO = join(__dirname, '..', '..');
const RELEASE = 'asmpvl-e2e';
const NAMESPACE = 'asmpvl-system';
const fixtureYaml = (name: string) => readFileSync(join(REPO, 'test/fixtures', name), 'utf8');

let release: WebhookRelease | undefined;

beforeAll(async () => {
  await installAsmpvlCrd();
  await deleteDefaultConfig();
  release = await installWebhookRelease(RELEASE, NAMESPACE);
});

afterAll(async () => {
  try {
    await deleteDefaultConfig();
  } finally {
    await release?.uninstall();
  }
});

afterEach(deleteDefaultConfig);

describe('kubectl apply through the webhook', () => {
  test('a valid object is created with ids normalised and defaults applied', async () => {
    const object = loadFixture('valid/one-cluster.yaml') as { spec: { ackVpcEndpoint: Array<{ clusterId: string }> } };
    object.spec.ackVpcEndpoint[0]!.clusterId = 'C0123456789ABCDEF0123456789ABCDEF';
    const applied = await kubectl(['apply', '-f', '-'], { input: stringify(object) });
    expect(applied).toMatchObject({ code: 0, stdout: 'asmpvlconfig.istio.alibabacloud.com/default created\n' });
    const stored = JSON.parse((await mustSucceed(kubectl(['get', 'asmpvl', 'default', '-o', 'json']), 'get')).stdout);
    // The CRD pattern only allows lower case: the object got in because the mutating webhook fixed it.
    expect(stored.spec.ackVpcEndpoint[0].clusterId).toBe('c0123456789abcdef0123456789abcdef');
    expect(stored.spec.sanSync).toBe('Enabled');
  });

  test('the name foo is rejected and kubectl shows our message', async () => {
    const result = await kubectl(['apply', '-f', '-'], { input: fixtureYaml('invalid/wrong-name.yaml') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(NAME_RULE_MESSAGE);
  });

  test("the vendor's example (zone j against zone i) is rejected by the webhook, naming both zones", async () => {
    const result = await kubectl(['apply', '-f', '-'], { input: fixtureYaml('invalid/vendor-example.yaml') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /admission webhook "[^"]*validate[^"]*" denied the request: ASMPvlConfig "default" is invalid: spec\.ackVpcEndpoint\[0\]\.vSwitches: /,
    );
    expect(result.stderr).toContain('only in zone cn-hangzhou-j and the ASM vSwitches are only in zone cn-hangzhou-i');
    expect((await kubectl(['get', 'asmpvl', 'default'])).code).toBe(1);
  });

  test('an object with unpaired vSwitches is created and kubectl prints Warning: lines', async () => {
    const result = await kubectl(['apply', '-f', '-'], { input: fixtureYaml('warning/unpaired-vswitches.yaml') });
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('Warning: '));
    expect(warnings).toEqual([
      expect.stringContaining(
        'Warning: spec.ackVpcEndpoint[0].vSwitches[1]: vSwitch vsw-bp1kq2x9nd8ehk4a7mzte in zone cn-hangzhou-k has no ASM vSwitch',
      ),
      expect.stringContaining(
        'Warning: spec.asmVpcEndpoint.vSwitches[1]: vSwitch vsw-bp1p3s7vk2wq9c6d1n0uz in zone cn-hangzhou-i serves no cluster',
      ),
    ]);
  });

  test('--dry-run=server gets the same answers and stores nothing', async () => {
    const denied = await kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: fixtureYaml('invalid/vendor-example.yaml'),
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('only in zone cn-hangzhou-j and the ASM vSwitches are only in zone cn-hangzhou-i');
    const accepted = await kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: fixtureYaml('warning/unpaired-vswitches.yaml'),
    });
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toBe('asmpvlconfig.istio.alibabacloud.com/default created (server dry run)\n');
    expect(accepted.stderr).toContain('Warning: spec.asmVpcEndpoint.vSwitches[1]');
    expect((await kubectl(['get', 'asmpvl', 'default'])).code).toBe(1);
  });

  test('an UPDATE that breaks the zones is rejected and the stored object is unchanged', async () => {
    await mustSucceed(kubectl(['apply', '-f', '-'], { input: fixtureYaml('valid/one-cluster.yaml') }), 'apply valid');
    const broken = loadFixture('valid/one-cluster.yaml') as {
      spec: { asmVpcEndpoint: { vSwitches: Array<{ zoneId: string }> } };
    };
    broken.spec.asmVpcEndpoint.vSwitches[0]!.zoneId = 'cn-hangzhou-i';
    const result = await kubectl(['apply', '-f', '-'], { input: stringify(broken) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('denied the request: ASMPvlConfig "default" is invalid');
    const stored = JSON.parse((await mustSucceed(kubectl(['get', 'asmpvl', 'default', '-o', 'json']), 'get')).stdout);
    expect(stored.spec.asmVpcEndpoint.vSwitches[0].zoneId).toBe('cn-hangzhou-j');
  });
});
