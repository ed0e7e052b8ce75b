/**
 * A provisioning run against the in-process emulator, for the managers' tests: the real SDKs and
 * signing over loopback, transitions of a few tens of milliseconds, polls every few milliseconds.
 */
import type { RunningEmulator } from '../../../test/emulator';
import { systemClock } from '../../clock';
import { cloudFor, startTwoClusterEmulator } from '../../cloud/testkit/emulated-cloud';
import { clientTokenFor } from '../client-token';
import { provisioningCloud, type ProvisioningCloud } from '../cloud-port';
import { runPolls, type RunPolls } from '../polls';
import type { WaitPolicy } from '../waits';
import type { CreateToken, ManagerContext } from './manager';

/** test/emulator/worlds/two-clusters.json */
export const WORLD = {
  meshId: 'cf9171d03515f8f0920a4425eca656495',
  asm: {
    vpcId: 'vpc-bp1o3jbu5rggg994o5vm9',
    vSwitchJ: 'vsw-bp10w1gdt1pw6srb8dy0i',
    vSwitchK: 'vsw-bp1cofkccijnjju314wym',
    securityGroupId: 'sg-bp169pz86m0p2ennfddz',
  },
  ack1: {
    clusterId: 'c84974f524e2045c87dccadff91a71708',
    loadBalancerId: 'lb-bp1lr2uy9cv2vqpy7jr0a',
    /** The zones its API-server load balancer serves. */
    zones: ['cn-hangzhou-j', 'cn-hangzhou-i'],
  },
  ack2: {
    clusterId: 'cab1659d273777fbbeb08d1f747ad55b7',
    loadBalancerId: 'lb-bp1sui76uf7xxd5korkdo',
    /** The zones its API-server load balancer serves: both zones of the ASM VPC. */
    zones: ['cn-hangzhou-j', 'cn-hangzhou-k'],
  },
} as const;

const FAST_WAITS: WaitPolicy = {
  clock: systemClock,
  initialMs: 5,
  lateFraction: 0.25,
  maxIntervalMs: 40,
  perWaitMs: 10_000,
};

export interface EmulatedRun {
  emulator: RunningEmulator;
  /** The run's port: its settled reads (RunReads) last until reset(). */
  cloud: ProvisioningCloud;
  polls: RunPolls;
  context(options?: { wait?: boolean; cloud?: ProvisioningCloud }): ManagerContext;
  /** The world as loaded, and a new run over it (no read of the last one kept). */
  reset(): void;
}

export async function startEmulatedRun(): Promise<EmulatedRun> {
  const emulator = await startTwoClusterEmulator();
  const fresh = () => {
    const cloud = provisioningCloud(cloudFor(emulator));
    return { cloud, polls: runPolls(cloud, WORLD.meshId, systemClock) };
  };
  const run: EmulatedRun = {
    emulator,
    ...fresh(),
    context: (options = {}) => ({
      cloud: options.cloud ?? run.cloud,
      deadline: { at: Date.now() + 20_000, label: 'the test deadline' },
      waits: FAST_WAITS,
      wait: options.wait ?? true,
    }),
    reset: () => {
      emulator.reset();
      Object.assign(run, fresh());
    },
  };
  return run;
}

/** The create tokens of one step of the API-server link of ack-hz-1, as steps.ts makes them. */
export function tokensOf(step: string, specRevision = 'uid-1/1'): CreateToken {
  return (parameters) =>
    clientTokenFor({
      meshId: WORLD.meshId,
      clusterId: WORLD.ack1.clusterId,
      link: 'apiserver',
      step,
      specRevision,
      parameters,
    });
}
