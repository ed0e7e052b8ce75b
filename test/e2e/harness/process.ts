import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

/** How a server process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A long-running server (etcd, kube-apiserver) whose output goes to a log file. It runs in its
 * own process group so that Ctrl-C in the terminal reaches only the test runner, which then stops
 * the servers in order (API server before its etcd) and waits for each.
 */
export class ServerProcess {
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    binary: string,
    args: string[],
    readonly logFile: string,
  ) {
    const log = openSync(logFile, 'a');
    try {
      this.child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.child.once('error', () => {
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Set once the process has ended. */
  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * SIGTERM, then SIGKILL if the process has not exited within `graceMs`. Resolves only once it has
   * exited: kube-apiserver drains for several seconds after SIGTERM, and a harness that returns
   * earlier leaves strays behind.
   */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    this.signalGroup('SIGTERM');
    if (await settlesWithin(this.exited, graceMs)) return this.exited;
    this.signalGroup('SIGKILL');
    if (await settlesWithin(this.exited, 5_000)) return this.exited;
    throw new Error(`${this.name} (pid ${this.pid}) did not exit even after SIGKILL; kill it by hand.`);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined || this.exit) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone between the check and the signal.
    }
  }
}

/** Whether `promise` settles within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
