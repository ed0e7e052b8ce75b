import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one `kubectl asmpvl` command line in-process, as kubectl would start it, capturing its output. */
export async function runPlugin(args: string[], stdinText = ''): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += String(chunk)));
  stderr.on('data', (chunk) => (err += String(chunk)));
  const code = await runCli(
    args,
    { stdin: Readable.from([stdinText]), stdout, stderr, env: {}, colorDepth: 1 },
    '/usr/local/bin/kubectl-asmpvl',
  );
  return { code, stdout: out, stderr: err };
}
