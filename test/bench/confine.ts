// Runs a benchmark's server under a pod's limits on this machine: a CPU quota and a memory limit in a
// cgroup of its own (v1 or v2), as the kubelet sets them for a container. Needs root and a writable
// cgroup filesystem; without them the limits are not applied and the description says so.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PodLimits {
  /** CPU as Kubernetes writes it in millicores: 500 is `cpu: 500m`. */
  cpuMillis: number;
  memoryBytes: number;
}

export interface Confinement {
  /** What the limits are, or why they could not be applied: for the benchmark's report. */
  description: string;
  /** Wraps a command so that it starts inside the cgroups. */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  /** Peak memory of everything that ran in the memory cgroup, if known. */
  peakMemoryBytes(): number | undefined;
  /** Times the memory limit was hit and the kernel killed a process, if known. */
  oomKills(): number | undefined;
  remove(): void;
}

const ROOT = '/sys/fs/cgroup';
const PERIOD_US = 100_000;

/** The cgroup directories of this process: v1 has one per controller, v2 one for all. */
function cgroupDirectories(): { cpu: string; memory: string; version: 1 | 2 } | undefined {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  const pathOf = (controller: string) =>
    lines.map((line) => line.split(':')).find(([, controllers]) => controllers!.split(',').includes(controller))?.[2];
  const cpu = pathOf('cpu');
  const memory = pathOf('memory');
  if (cpu !== undefined && memory !== undefined && existsSync(join(ROOT, 'cpu')))
    return { cpu: join(ROOT, 'cpu', cpu), memory: join(ROOT, 'memory', memory), version: 1 };
  const unified = lines.find((line) => line.startsWith('0::'))?.slice(3);
  if (unified !== undefined && existsSync(join(ROOT, 'cgroup.controllers')))
    return { cpu: join(ROOT, unified), memory: join(ROOT, unified), version: 2 };
  return undefined;
}

/** The number in `file`, or the one after `key` on its own line in it. */
function readNumber(file: string, key?: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const match = key === undefined ? /^(\d+)\s*$/.exec(text) : new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const unconfined = (why: string): Confinement => ({
  description: `no limits applied (${why})`,
  wrap: (command, args) => ({ command, args }),
  peakMemoryBytes: () => undefined,
  oomKills: () => undefined,
  remove: () => {},
});

/** Cgroups with `limits` for one process tree, named after `name`; falls back to none with a reason. */
export function confine(name: string, limits: PodLimits): Confinement {
  const directories = cgroupDirectories();
  if (directories === undefined) return unconfined('no cgroup filesystem found');
  const leaf = `${name}-${process.pid}`;
  const cpu = join(directories.cpu, leaf);
  const memory = join(directories.memory, leaf);
  const quota = Math.round((limits.cpuMillis / 1000) * PERIOD_US);
  try {
    mkdirSync(cpu, { recursive: true });
    if (memory !== cpu) mkdirSync(memory, { recursive: true });
    if (directories.version === 1) {
      writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(quota));
      writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    } else {
      writeFileSync(join(cpu, 'cpu.max'), `${quota} ${PERIOD_US}`);
      writeFileSync(join(memory, 'memory.max'), String(limits.memoryBytes));
    }
  } catch (error) {
    for (const directory of new Set([cpu, memory])) if (existsSync(directory)) rmdirSync(directory);
    return unconfined(`cannot write cgroups: ${(error as Error).message}`);
  }
  const procs = [...new Set([cpu, memory])].map((directory) => join(directory, 'cgroup.procs'));
  return {
    description: `cgroup v${directories.version}: CPU quota ${quota / 1000} ms per ${PERIOD_US / 1000} ms (${limits.cpuMillis}m), memory limit ${limits.memoryBytes / 1024 / 1024} MiB`,
    wrap: (command, args) => ({
      command: '/bin/sh',
      // The shell moves itself into the cgroups, then becomes the command.
      args: ['-c', `${procs.map((file) => `echo $$ > ${file}`).join(' && ')} && exec "$@"`, 'sh', command, ...args],
    }),
    peakMemoryBytes: () =>
      readNumber(join(memory, directories.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak')),
    oomKills: () =>
      readNumber(join(memory, directories.version === 1 ? 'memory.oom_control' : 'memory.events'), 'oom_kill'),
    remove: () => {
      for (const directory of new Set([cpu, memory])) if (existsSync(directory)) rmdirSync(directory);
    },
  };
}
