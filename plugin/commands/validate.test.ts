import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlugin } from '../testing/run-cli';

const fixture = (name: string) => join(__dirname, '../../test/fixtures', name);

const run = runPlugin;

describe('kubectl asmpvl validate', () => {
  test('a valid file exits 0 and says so on stdout', async () => {
    const result = await run(['validate', '-f', fixture('valid/one-cluster.yaml')]);
    expect(result).toEqual({
      code: 0,
      stdout: `${fixture('valid/one-cluster.yaml')}[0] asmpvlconfig/default: valid\n`,
      stderr: '',
    });
  });

  test('warnings go to stderr and do not fail', async () => {
    const result = await run(['validate', '-f', fixture('warning/unpaired-vswitches.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^warning: .*unpaired-vswitches\.yaml\[0\] asmpvlconfig\/default: spec\.ackVpcEndpoint\[0\]\.vSwitches\[1\]: vSwitch vsw-bp1kq2x9nd8ehk4a7mzte in zone cn-hangzhou-k/,
      ),
      expect.stringMatching(
        /^warning: .*: spec\.asmVpcEndpoint\.vSwitches\[1\]: vSwitch vsw-bp1p3s7vk2wq9c6d1n0uz in zone cn-hangzhou-i serves no cluster/,
      ),
    ]);
  });

  test('--zone-policy strict turns those warnings into errors and exits 1', async () => {
    const result = await run(['validate', '-f', fixture('warning/unpaired-vswitches.yaml'), '--zone-policy', 'strict']);
    expect(result.code).toBe(1);
    expect(
      result.stderr
        .trim()
        .split('\n')
        .map((line) => line.split(':')[0]),
    ).toEqual(['error', 'error']);
  });

  test('multi-document YAML from stdin: each error on its own line with index, name and path', async () => {
    const input = ['valid/one-cluster.yaml', 'invalid/wrong-name.yaml', 'invalid/vendor-example.yaml']
      .map((name) => readFileSync(fixture(name), 'utf8'))
      .join('\n---\n');
    const result = await run(['validate', '-f', '-'], input);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('stdin[0] asmpvlconfig/default: valid\n');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'error: stdin[1] asmpvlconfig/foo: metadata.name: metadata.name must be "default": only the ASMPvlConfig named default is read, so rename this object to default',
    );
    expect(lines[1]).toMatch(
      /^error: stdin\[2\] asmpvlconfig\/default: spec\.ackVpcEndpoint\[0\]\.vSwitches: cluster c0123456789abcdef0123456789abcdef has vSwitches only in zone cn-hangzhou-j and the ASM vSwitches are only in zone cn-hangzhou-i/,
    );
  });

  test('JSON input, a List, and objects of other kinds skipped', async () => {
    const config = readFileSync(fixture('valid/region-with-digit.json'), 'utf8');
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [JSON.parse(config), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }],
    });
    const result = await run(['validate', '-f', '-'], list);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('stdin[0] asmpvlconfig/default: valid\n');
    expect(result.stderr).toBe('note: skipped 1 object(s) of other kinds\n');
  });

  test('-o json prints machine-readable findings', async () => {
    const result = await run(['validate', '-f', fixture('invalid/malformed-vswitch.yaml'), '-o', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      objects: [
        {
          source: fixture('invalid/malformed-vswitch.yaml'),
          index: 0,
          name: 'default',
          valid: false,
          errors: [
            {
              path: 'spec.ackVpcEndpoint[0].vSwitches[0].vSwitchId',
              message: expect.stringContaining('"vsw_bad!" is not valid'),
            },
          ],
          warnings: [],
        },
      ],
    });
  });

  test.each([
    [['validate', '-f', '/nonexistent/config.yaml'], 'error: cannot read /nonexistent/config.yaml: no such file'],
    [['validate', '-f', '-'], 'error: no ASMPvlConfig found in -'],
    [['validate', '-f', 'x', '--zone-policy', 'loose'], 'error: invalid argument for "--zone-policy" flag'],
    [['validate'], 'error: required flag(s) "filename" not set'],
    [
      ['validate', '-f', 'x', '--frobnicate'],
      "error: unknown flag: --frobnicate\nSee 'kubectl asmpvl validate --help' for usage.\n",
    ],
  ])('%j is a usage or read error: exit 2', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  test('unparsable YAML is a read error naming the line', async () => {
    const result = await run(['validate', '-f', '-'], 'spec: [unclosed\n  foo: : bar\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: cannot parse stdin \(line \d+, column \d+\): /);
  });

  describe('-f as kubectl apply takes it', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'asmpvl-validate-'));
      mkdirSync(join(dir, 'nested'));
      copyFileSync(fixture('valid/one-cluster.yaml'), join(dir, 'b.yaml'));
      copyFileSync(fixture('valid/region-with-digit.json'), join(dir, 'a.json'));
      copyFileSync(fixture('invalid/wrong-name.yaml'), join(dir, 'nested', 'c.yml'));
      writeFileSync(join(dir, 'notes.txt'), 'not a manifest: [');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('a directory: its .yaml, .yml and .json files in name order, not its subdirectories', async () => {
      const result = await run(['validate', '-f', dir]);
      expect(result).toEqual({
        code: 0,
        stdout: `${join(dir, 'a.json')}[0] asmpvlconfig/default: valid\n${join(dir, 'b.yaml')}[0] asmpvlconfig/default: valid\n`,
        stderr: '',
      });
    });

    test('-R reads the subdirectories too', async () => {
      const result = await run(['validate', '-f', dir, '-R']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error: ${join(dir, 'nested', 'c.yml')}[0] asmpvlconfig/foo: metadata.name`);
    });

    test('a comma-separated list, mixed with a repeated -f', async () => {
      const result = await run([
        'validate',
        '-f',
        `${fixture('valid/one-cluster.yaml')},${fixture('valid/two-clusters.yaml')}`,
        '-f',
        fixture('valid/with-status.yaml'),
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(3);
    });

    test('a directory with no manifest is a read error that mentions -R', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'asmpvl-empty-'));
      const result = await run(['validate', '-f', empty]);
      rmSync(empty, { recursive: true });
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `error: no .yaml, .yml or .json file in ${empty} (-R reads subdirectories)\n`,
      });
    });
  });

  describe('hostile input: exit 2 with one line, nothing on stdout', () => {
    test('-f /dev/zero stops at the size cap', async () => {
      const result = await run(['validate', '-f', '/dev/zero', '-o', 'json']);
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'error: cannot read /dev/zero: larger than 8 MiB; an ASMPvlConfig the API server can store is at most 1.5 MiB: check the file name\n',
      });
    });

    test('a YAML alias bomb ("billion laughs")', async () => {
      const levels = Array.from(
        { length: 9 },
        (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(',')}]`,
      );
      const bomb = ['l0: &l0 "lol"', ...levels, 'kind: ASMPvlConfig'].join('\n');
      const result = await run(['validate', '-f', '-', '-o', 'json'], bomb);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: cannot parse stdin: its YAML aliases expand to more than 1000 nodes/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });

    test('YAML nested 50,000 levels deep: a read error that says so', async () => {
      const result = await run(['validate', '-f', '-', '-o', 'json'], `a: ${'['.repeat(50_000)}${']'.repeat(50_000)}`);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: cannot parse stdin.*: nested too deeply for the YAML parser/);
    });

    test('JSON with managedFields nested 20,000 levels deep (kubectl get -o json) is checked like without', async () => {
      const object = JSON.parse(readFileSync(fixture('valid/region-with-digit.json'), 'utf8'));
      object.metadata.managedFields = [{ fieldsV1: '@deep' }];
      const deep = JSON.stringify(object).replace('"@deep"', `${'{"f:a":'.repeat(20_000)}{}${'}'.repeat(20_000)}`);
      const result = await run(['validate', '-f', '-'], deep);
      expect(result).toEqual({ code: 0, stdout: 'stdin[0] asmpvlconfig/default: valid\n', stderr: '' });
    });
  });

  test('--version and help name the plugin the way kubectl users type it', async () => {
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await run(['version'])).stdout).toMatch(/^kubectl-asmpvl \d+\.\d+\.\d+\n$/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}validate +Check ASMPvlConfig manifests offline/m);
  });
});
