// The emulator of the Alibaba Cloud APIs asmpvl calls, for tests in this process:
//
//   const emulator = await startEmulator({ world: "test/emulator/worlds/two-clusters.json" });
//   const config = new $OpenApiUtil.Config({ endpoint: emulator.endpoint, protocol: "http",
//     ...emulator.credentials, regionId: "cn-hangzhou" });
//   ... real SDK calls ...
//   await emulator.stop();
//
// See README.md for the world format, fault injection and what each action checks.
import type { EmulatorState } from './cloud';
import type { EmulatorDelays } from './delays';
import { Emulator } from './emulator';
import type { EmulatorFaults } from './faults';
import type { RateLimits } from './rate-limits';
import type { RequestLogEntry } from './request-log';
import { listen } from './server';
import type { World } from './world';

import type { RamPolicy } from './ram';
export type { EmulatorState } from './cloud';
export type { EmulatorDelays } from './delays';
export { DEFAULT_DELAYS } from './delays';
export type { EmulatorFaults } from './faults';
export type { RateLimits } from './rate-limits';
export type { RamPolicy, RamStatement } from './ram';
export type { RequestLogEntry, InjectedFault } from './request-log';
export type {
  World,
  WorldAccessKey,
  WorldAccount,
  WorldCluster,
  WorldLoadBalancer,
  WorldSecurityGroup,
  WorldServiceMesh,
  WorldVpc,
  WorldVSwitch,
  WorldZone,
} from './world';
export { loadWorldFile, WorldError } from './world';
export { makeWorld, type MakeWorldOptions } from './world-generator';

/** The path of the two-cluster world fixture. */
export const TWO_CLUSTERS_WORLD = `${__dirname}/worlds/two-clusters.json`;

/** The two-cluster world with ack-hz-2's API server behind an NLB (zones k and j). */
export const NLB_APISERVER_WORLD = `${__dirname}/worlds/nlb-apiserver.json`;

export interface StartEmulatorOptions {
  /** A world object or the path of a world JSON file. */
  world: World | string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long asynchronous transitions take; tests pass small values. */
  delays?: Partial<EmulatorDelays>;
  faults?: EmulatorFaults;
  /** Per-action calls per second (`"*"` for the rest); off when absent. */
  rateLimits?: RateLimits;
  /** Seed for generated ids; random when absent. */
  seed?: number;
}

export interface RunningEmulator {
  /** `127.0.0.1:PORT`, for `new Config({ endpoint, protocol: "http" })`. */
  endpoint: string;
  /** `http://127.0.0.1:PORT`, for the control endpoints. */
  url: string;
  port: number;
  /** The first AccessKey of the world's first (default) account. */
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  regionId: string;
  world: World;
  /** The whole inventory now (services, endpoints, zones, connections, tags, SANs, tasks, mesh). */
  state(): EmulatorState;
  /** Every request so far, in arrival order. */
  requests(): RequestLogEntry[];
  /** Replaces a cluster's certificate SANs at once (a change behind asmpvl's back). */
  setClusterSans(clusterId: string, sans: string[]): void;
  /** Gives an access key a RAM policy (undefined: allowed everything); see ram.ts. */
  setPolicy(accessKeyId: string, policy: RamPolicy | undefined): void;
  /** Replaces the fault configuration; `{}` turns faults off. */
  setFaults(faults: EmulatorFaults): void;
  setRateLimits(limits: RateLimits): void;
  /** Back to the world as loaded. */
  reset(): void;
  /** Closes the server and every connection, hung ones included. */
  stop(): Promise<void>;
}

/** Starts an emulator on 127.0.0.1 and resolves once it listens. */
export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  const host = options.host ?? '127.0.0.1';
  const server = await listen(emulator, host, options.port ?? 0);
  const account = emulator.world.accounts[0]!;
  const key = account.accessKeys[0]!;
  return {
    endpoint: `${host}:${server.port}`,
    url: `http://${host}:${server.port}`,
    port: server.port,
    credentials: {
      accessKeyId: key.accessKeyId,
      accessKeySecret: key.accessKeySecret,
      ...(key.securityToken ? { securityToken: key.securityToken } : {}),
    },
    regionId: emulator.world.regionId,
    world: emulator.world,
    state: () => emulator.state(),
    requests: () => emulator.requests(),
    setClusterSans: (clusterId, sans) => emulator.setClusterSans(clusterId, sans),
    setPolicy: (accessKeyId, policy) => emulator.setPolicy(accessKeyId, policy),
    setFaults: (faults) => emulator.setFaults(faults),
    setRateLimits: (limits) => emulator.setRateLimits(limits),
    reset: () => emulator.reset(),
    stop: () => server.close(),
  };
}
