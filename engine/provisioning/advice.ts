/**
 * The next steps a message points to, worded by whoever runs the reconcile. The engine says which
 * step comes next; the plugin words it as a command to type, the controller as what it does by
 * itself (what we write into the cluster never tells a controller's reader to pass a flag).
 */
export interface Advice {
  /** After a wait ran out of time or the run was cancelled: how the work resumes. */
  resume: string;
  /** A connected cluster's certificate lacks its endpoint domain (spec.sanSync Enabled). */
  syncSan: string;
  /** A cluster of the spec is not in the service mesh. */
  addToMesh(clusterId: string): string;
  /** The mesh does not run a cluster: where the reasons are spelled out. */
  diagnose: string;
}

/** What the controller writes: it resumes, appends and adds by itself. */
export const CONTROLLER_ADVICE: Advice = {
  resume: 'the controller resumes from here on its next reconcile',
  syncSan: 'the controller appends them on its next reconcile',
  addToMesh: (clusterId) => `the controller adds ${clusterId} to the mesh on its next reconcile`,
  diagnose: 'the MeshReady condition names what is missing',
};

/** What a person at a terminal running kubectl asmpvl is told. */
export const CLI_ADVICE: Advice = {
  resume: 'run the command again to resume from here, or raise --timeout',
  syncSan: 'run kubectl asmpvl sync-san',
  addToMesh: (clusterId) => `run kubectl asmpvl connect ${clusterId} to add it`,
  diagnose: 'kubectl asmpvl doctor names what is missing',
};
