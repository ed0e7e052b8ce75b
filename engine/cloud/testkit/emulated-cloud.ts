/** A Cloud talking to the in-process emulator through the real SDKs and signing. */
import { type EmulatorDelays, type RunningEmulator, startEmulator, TWO_CLUSTERS_WORLD } from '../../../test/emulator';
import { type Cloud, createCloud } from '../index';
import type { CloudSettings } from '../settings';
import { fakeClock } from '../../testing/fake-clock';

/** Every asynchronous transition takes this long in contract tests. */
export const FAST_DELAYS: Partial<EmulatorDelays> = {
  serviceCreateMs: 30,
  serviceUpdateMs: 30,
  serviceDeleteMs: 30,
  endpointCreateMs: 30,
  endpointDeleteMs: 30,
  zoneCreateMs: 30,
  zoneDeleteMs: 30,
  connectMs: 30,
  disconnectMs: 30,
  clusterTaskMs: 30,
  meshJoinMs: 30,
};

export function startTwoClusterEmulator(): Promise<RunningEmulator> {
  return startEmulator({ world: TWO_CLUSTERS_WORLD, port: 0, delays: FAST_DELAYS, seed: 7 });
}

/** Retries wait no real time (fake clock); timeouts are short, the emulator answers at once. */
export function cloudFor(emulator: RunningEmulator, settings: Partial<CloudSettings> = {}): Cloud {
  return createCloud({
    region: emulator.regionId,
    cloudEndpoint: emulator.url,
    credentials: emulator.credentials,
    clock: fakeClock(),
    timeouts: { connectMs: 2_000, readMs: 3_000 },
    ...settings,
  });
}

/** Polls `read` until `done` holds; fails with the last value after `timeoutMs` of real time. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 3_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}
