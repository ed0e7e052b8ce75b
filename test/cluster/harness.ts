import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO = join(__dirname, '..', '..');
const CLUSTER_SH = join(__dirname, 'tools', 'cluster.sh');
const NODE = join(REPO, 'node_modules', 'node', 'bin', 'node');

/** The node's address inside the sealed namespace (cluster.sh makes it). */
export const NODE_IP = '172.30.0.2';
/** The address of the API server standing for an ASM instance's (cluster.sh asm-up), on port 6443. */
export const ASM_IP = '172.30.0.3';

/** The node-less API server standing for an ASM instance's, inside the same sealed namespace. */
export interface AsmApiServer {
  /** Admin (system:masters) kubeconfig, for the test's own kubectl and helm. */
  adminKubeconfig: string;
  /** The kubeconfig of user asmpvl-controller (no group), certificates inline: what the controller's Secret holds. */
  controllerKubeconfig: string;
  /** Seconds `cluster.sh asm-up` took. */
  bootSeconds: number;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

/** The cloud emulator, running inside the sealed namespace on the node's address. */
export interface SealedEmulator {
  url: string;
  regionId: string;
  accessKeyId: string;
  accessKeySecret: string;
}

/** A one-node cluster in a sealed network namespace; every command runs inside that namespace. */
export interface NodeCluster {
  dir: string;
  netns: string;
  /** Seconds `cluster.sh up` took, from an empty directory to a Ready node. */
  bootSeconds: number;
  /** Runs `command args` inside the namespace, KUBECONFIG pointing at the admin kubeconfig. */
  run(command: string, args: string[], options?: RunOptions): Promise<CommandResult>;
  /** Starts the ASM instance's API server (own etcd, no node); `down` stops it. */
  startAsmApiServer(): Promise<AsmApiServer>;
  /** Imports an image archive into containerd's `k8s.io` namespace, where the kubelet looks. */
  importImage(archive: string): Promise<CommandResult>;
  /** Starts the emulator on NODE_IP:port inside the namespace; `down` stops it. */
  startEmulator(port: number): Promise<SealedEmulator>;
  /** GET of the emulator's state, from inside the namespace. */
  emulatorState(port: number): Promise<any>;
  /** Stops every process, removes mounts, pod namespaces, cgroups, the namespace and `dir`. */
  down(): Promise<void>;
}

function runProcess(file: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: error && code === 1 && !stderr ? String(error.message) : stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** Throws with the command's output unless it exited 0. */
export function mustSucceed(result: CommandResult, what: string): CommandResult {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${result.code}:\n${result.stderr || result.stdout}`);
  }
  return result;
}

/**
 * Boots the cluster with cluster.sh. A detached watcher tears it down if this process dies
 * without doing so itself (SIGKILL, a crash): nothing of it may outlive the test run.
 */
export async function bootNodeCluster(binDir: string): Promise<NodeCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'asmpvl-cluster-'));
  const watcher = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$0" 2>/dev/null; do sleep 1; done; exec bash "$1" down "$2"',
      String(process.pid),
      CLUSTER_SH,
      dir,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watcher.unref();
  const down = async () => {
    mustSucceed(await runProcess('bash', [CLUSTER_SH, 'down', dir], { timeoutMs: 120_000 }), 'cluster.sh down');
    watcher.kill('SIGTERM');
  };
  const started = Date.now();
  const booted = await runProcess('bash', [CLUSTER_SH, 'up', dir, binDir], { timeoutMs: 600_000 });
  if (booted.code !== 0) {
    await down();
    throw new Error(`cluster.sh up exited ${booted.code}:\n${booted.stderr}`);
  }
  const netns = booted.stdout.trim().split('\n').pop()!;
  const bootSeconds = Math.round((Date.now() - started) / 1000);
  const run = (command: string, args: string[], options?: RunOptions) =>
    runProcess('bash', [CLUSTER_SH, 'run', dir, command, ...args], options);
  return {
    dir,
    netns,
    bootSeconds,
    run,
    startAsmApiServer: async () => {
      const asmStarted = Date.now();
      mustSucceed(await runProcess('bash', [CLUSTER_SH, 'asm-up', dir], { timeoutMs: 300_000 }), 'cluster.sh asm-up');
      return {
        adminKubeconfig: join(dir, 'asm-admin.kubeconfig'),
        controllerKubeconfig: join(dir, 'asm-controller.kubeconfig'),
        bootSeconds: Math.round((Date.now() - asmStarted) / 1000),
      };
    },
    importImage: (archive) =>
      run('ctr', ['--address', join(dir, 'containerd.sock'), '-n', 'k8s.io', 'images', 'import', archive], {
        timeoutMs: 300_000,
      }),
    startEmulator: (port) => startEmulator(dir, netns, port),
    emulatorState: async (port) =>
      JSON.parse(
        mustSucceed(
          await run('/bin/busybox', ['wget', '-q', '-O', '-', `http://${NODE_IP}:${port}/_emulator/state`]),
          'emulator state',
        ).stdout,
      ),
    down,
  };
}

async function startEmulator(dir: string, netns: string, port: number): Promise<SealedEmulator> {
  const child: ChildProcess = spawn(
    'nsenter',
    [
      `--net=/run/netns/${netns}`,
      NODE,
      '--import',
      'tsx',
      join(REPO, 'test', 'emulator', 'main.ts'),
      '--host',
      NODE_IP,
      '--port',
      String(port),
    ],
    { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  appendFileSync(join(dir, 'pids'), `${child.pid} emulator\n`);
  child.unref();
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the emulator printed nothing within 60 s')), 60_000);
    lines.once('line', (first) => {
      clearTimeout(timer);
      resolve(first);
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited ${code} before listening`)));
  });
  const started = JSON.parse(line) as {
    listening: string;
    regionId: string;
    accessKeyId: string;
    accessKeySecret: string;
  };
  return {
    url: started.listening,
    regionId: started.regionId,
    accessKeyId: started.accessKeyId,
    accessKeySecret: started.accessKeySecret,
  };
}

/** Retries `check` until it stops throwing; rethrows its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 60_000, intervalMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
