// The command line of doctor; its checks are unit-tested in plugin/doctor and run end to end in
// test/e2e/doctor.e2e.test.ts.
import { runPlugin } from '../testing/run-cli';

const run = runPlugin;

test('-o yaml is not an output of doctor: exit 2', async () => {
  const result = await run(['doctor', '-o', 'yaml']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    'error: invalid argument for "-o" flag: expected one of "text" or "json" (got "yaml")',
  );
});

test('the usage text names every check and documents the exit codes', async () => {
  const help = (await run(['doctor', '--help'])).stdout.replace(/\s+/g, ' ');
  for (const check of [
    'kubeconfig',
    'CRD',
    'webhook',
    'credentials',
    'CheckProductOpen',
    'RAM permission',
    'DescribeZones',
    'DescribeClusterDetail',
  ])
    expect(help).toContain(check);
  expect(help).toContain(
    'Exit code: 0 when no check failed (warnings allowed), 1 when any check failed, 2 when the command line is wrong.',
  );
});
