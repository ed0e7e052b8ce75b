// The command line of doctor; its checks are unit-tested in plugin/doctor and run end to end in
// test/e2e/doctor.e2e.test.ts.
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../cli';

async function run(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += String(chunk)));
  stderr.on('data', (chunk) => (err += String(chunk)));
  const code = await runCli(args, { stdin: Readable.from(['']), stdout, stderr, env: {}, colorDepth: 1 }, '/usr/local/bin/kubectl-asmpvl');
  return { code, stdout: out, stderr: err };
}

test('-o yaml is not an output of doctor: exit 2', async () => {
  const result = await run(['doctor', '-o', 'yaml']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('Invalid value for -o: expected one of "text" or "json" (got "yaml")');
});

test('the usage text names every check and documents the exit codes', async () => {
  const help = (await run(['doctor', '--help'])).stdout.replace(/\s+/g, ' ');
  for (const check of ['kubeconfig', 'CRD', 'webhook', 'credentials', 'CheckProductOpen', 'DescribeZones', 'DescribeClusterDetail']) expect(help).toContain(check);
  expect(help).toContain('Exit code: 0 when no check failed (warnings allowed), 1 when any check failed, 2 when the command line is wrong.');
});
