// The generated ASMPvlConfig CRD on a real API server: it installs, kubectl explains and lists it
// as the schema says, its OpenAPI schema rejects malformed input, and status is a subresource.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  eventually,
  installAsmpvlCrd,
  kubectl,
  mustSucceed,
  patchStatus,
  readCrd,
  SCHEMA_PATH,
  deleteDefaultConfig,
} from './harness';

const FIXTURES = join(__dirname, 'fixtures');
const SHARED_VALID_FIXTURES = join(__dirname, '..', 'fixtures', 'valid');
const VALID = readFileSync(join(FIXTURES, 'asmpvlconfig-valid.yaml'), 'utf8');
const MALFORMED_VSWITCH = readFileSync(join(FIXTURES, 'asmpvlconfig-malformed-vswitch.yaml'), 'utf8');

interface AsmpvlObject {
  metadata: { generation: number };
  spec: { asmVpcEndpoint: { vSwitches: Array<{ vSwitchId: string; zoneId: string }> } };
  status?: { status?: string };
}

async function getDefault(): Promise<AsmpvlObject> {
  const result = await mustSucceed(
    kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json']),
    'kubectl get asmpvlconfig default',
  );
  return JSON.parse(result.stdout) as AsmpvlObject;
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

beforeAll(async () => {
  await installAsmpvlCrd();
  await deleteDefaultConfig();
});

afterAll(deleteDefaultConfig);

describe('the generated CRD', () => {
  test('explains spec.ackVpcEndpoint with the description from the JSON Schema', async () => {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
    const description: string = schema.properties.spec.properties.ackVpcEndpoint.description;
    // The API server publishes a new CRD's OpenAPI a moment after it is Established.
    const explained = await eventually(() =>
      mustSucceed(kubectl(['explain', 'asmpvlconfig.spec.ackVpcEndpoint']), 'kubectl explain'),
    );
    expect(collapseWhitespace(explained.stdout)).toContain(collapseWhitespace(description));
  });

  test('rejects a malformed vSwitch id, naming the field', async () => {
    const result = await kubectl(['apply', '-f', '-'], { input: MALFORMED_VSWITCH });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('spec.ackVpcEndpoint[0].vSwitches[0].vSwitchId');
    expect(result.stderr).toContain('vsw_BAD!');
  });

  test('accepts a valid object', async () => {
    const result = await kubectl(['apply', '-f', '-'], { input: VALID });
    expect(result).toMatchObject({ code: 0, stdout: 'asmpvlconfig.istio.alibabacloud.com/default created\n' });
  });

  test('accepts every shared valid fixture (server-side dry run)', async () => {
    const files = readdirSync(SHARED_VALID_FIXTURES).filter((file) => /\.(ya?ml|json)$/.test(file));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const result = await kubectl(['apply', '--dry-run=server', '-f', join(SHARED_VALID_FIXTURES, file)]);
      expect({ file, code: result.code, stderr: result.stderr }).toEqual({ file, code: 0, stderr: '' });
    }
  });

  test('lists by short name with the printer columns of the CRD', async () => {
    const crd = readCrd();
    expect(crd.spec.names.shortNames).toContain('asmpvl');
    const version = crd.spec.versions.find((candidate) => candidate.name === 'v1beta1');
    // kubectl shows columns of priority 0 by default, and all of them with -o wide.
    const shown = (version?.additionalPrinterColumns ?? []).filter((column) => !column.priority);
    expect(shown.length).toBeGreaterThan(0);
    const header = ['NAME', ...shown.map((column) => column.name.toUpperCase())].map(escapeRegExp).join('\\s+');
    const listed = await mustSucceed(kubectl(['get', 'asmpvl']), 'kubectl get asmpvl');
    const [headerLine, row] = listed.stdout.split('\n');
    expect(headerLine).toMatch(new RegExp(`^${header}\\s*$`));
    expect(row).toMatch(/^default\s/);
  });
});

describe('the status subresource', () => {
  test('is written only through /status, and spec writes leave it alone', async () => {
    const before = await getDefault();
    await patchStatus({ status: 'Available' });
    const afterStatusWrite = await getDefault();
    expect(afterStatusWrite.status?.status).toBe('Available');
    // Status writes do not bump the generation: that counts spec changes only.
    expect(afterStatusWrite.metadata.generation).toBe(before.metadata.generation);

    const vSwitches = [{ vSwitchId: 'vsw-bp1l5hini55sstnwd2sk0', zoneId: 'cn-hangzhou-j' }];
    await mustSucceed(
      kubectl([
        'patch',
        'asmpvlconfig',
        'default',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { asmVpcEndpoint: { vSwitches } } }),
      ]),
      'kubectl patch of spec',
    );
    const afterSpecWrite = await getDefault();
    expect(afterSpecWrite.spec.asmVpcEndpoint.vSwitches).toEqual(vSwitches);
    expect(afterSpecWrite.metadata.generation).toBe(before.metadata.generation + 1);
    expect(afterSpecWrite.status?.status).toBe('Available');

    const mainResourceWrite = await kubectl([
      'patch',
      'asmpvlconfig',
      'default',
      '--type=merge',
      '-p',
      '{"status":{"status":"Failed"}}',
    ]);
    expect(mainResourceWrite.code).toBe(0);
    expect((await getDefault()).status?.status).toBe('Available');
  });
});
