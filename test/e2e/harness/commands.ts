import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { e2eEnvironment } from './environment';

/** What a finished command printed and returned. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Written to the command's standard input. */
  input?: string;
  /** Extra environment variables, e.g. PATH with a kubectl plugin on it. */
  env?: NodeJS.ProcessEnv;
  /** Kill the command and fail the test after this long. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Runs a command against the shared API server: KUBECONFIG points at the admin kubeconfig and
 * kubectl's and helm's caches and config live in the run's directory, never in $HOME.
 * Asynchronous on purpose: a test may serve an admission webhook from this same process, and a
 * blocking call would leave the API server waiting on it.
 */
export function run(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: commandEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `'${command} ${args.join(' ')}' did not finish within ${timeoutMs} ms; stderr so far:\n${Buffer.concat(stderr).toString()}`,
        ),
      );
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? signalExitCode(signal),
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      });
    });
    // A command may exit before it reads its input (kubectl failing early): writing then fails with
    // EPIPE, which is no error of the run; its exit code and stderr say what happened.
    child.stdin.once('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the pinned kubectl against the shared API server as cluster admin. */
export function kubectl(args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  return run(e2eEnvironment().kubectl, args, options);
}

/** Runs the pinned helm against the shared API server as cluster admin. */
export function helm(args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  return run(e2eEnvironment().helm, args, options);
}

/** The admin kubeconfig: its path and its YAML text. */
export function adminKubeconfig(): { path: string; text: string } {
  const path = e2eEnvironment().kubeconfig;
  return { path, text: readFileSync(path, 'utf8') };
}

function commandEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { kubeconfig, dir } = e2eEnvironment();
  return {
    ...process.env,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: join(dir, 'kube-cache'),
    HELM_CACHE_HOME: join(dir, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(dir, 'helm', 'config'),
    HELM_DATA_HOME: join(dir, 'helm', 'data'),
    ...extra,
  };
}

// The shell's convention, so a test can tell "killed by SIGTERM" (143) from an ordinary failure.
function signalExitCode(signal: NodeJS.Signals | null): number {
  return 128 + (signal ? constants.signals[signal] : 0);
}
