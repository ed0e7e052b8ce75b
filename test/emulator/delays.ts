// How long each asynchronous transition takes. The real cloud takes tens of seconds to minutes;
// the defaults here are short so that a full `connect` against the emulator takes seconds, and
// tests shrink them further.

/** Milliseconds each asynchronous transition takes. */
export interface EmulatorDelays {
  /** Endpoint service Creating → Active. */
  serviceCreateMs: number;
  /** Endpoint service Pending → Active after UpdateVpcEndpointServiceAttribute. */
  serviceUpdateMs: number;
  /** Endpoint service Deleting → gone. */
  serviceDeleteMs: number;
  /** Endpoint Creating → Active (and its first zones Creating → Wait/Connected). */
  endpointCreateMs: number;
  /** Endpoint Deleting → gone. */
  endpointDeleteMs: number;
  /** Endpoint zone Creating → Wait/Connected (AddZoneToVpcEndpoint). */
  zoneCreateMs: number;
  /** Endpoint zone Deleting → gone. */
  zoneDeleteMs: number;
  /** Connection Connecting → Connected. */
  connectMs: number;
  /** Connection Disconnecting → Disconnected. */
  disconnectMs: number;
  /** ACK cluster task (SAN update): cluster updating → running, task running → success. */
  clusterTaskMs: number;
  /** AddClusterIntoServiceMesh: the mesh's first look at a newly added cluster. */
  meshJoinMs: number;
}

export const DEFAULT_DELAYS: EmulatorDelays = {
  serviceCreateMs: 1500,
  serviceUpdateMs: 500,
  serviceDeleteMs: 1000,
  endpointCreateMs: 2000,
  endpointDeleteMs: 1000,
  zoneCreateMs: 1000,
  zoneDeleteMs: 1000,
  connectMs: 1000,
  disconnectMs: 1000,
  clusterTaskMs: 3000,
  meshJoinMs: 2000,
};

/** Every delay set to the same value (the `--delay-ms` flag). */
export function uniformDelays(ms: number): EmulatorDelays {
  const delays = { ...DEFAULT_DELAYS };
  for (const key of Object.keys(delays) as Array<keyof EmulatorDelays>) delays[key] = ms;
  return delays;
}

/** Defaults overridden by whatever the caller gave. */
export function resolveDelays(given?: Partial<EmulatorDelays>): EmulatorDelays {
  return { ...DEFAULT_DELAYS, ...given };
}
