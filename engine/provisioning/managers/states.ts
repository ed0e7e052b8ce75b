/**
 * What the statuses PrivateLink reports mean, one block per resource: the status a resource takes
 * changes in, the ones on the way there, the one on the way out, and for an endpoint what its
 * connection's statuses ask for. Plain data, shared by the managers (which wait on them) and the
 * planner (which decides from them, and must stay free of any cloud client), so the two never
 * disagree.
 */

/** An endpoint service: `Creating → Active`, `Pending` while being changed, `Deleting`. */
export const SERVICE_STATES = {
  /** The only status in which a service takes a change. */
  settled: 'Active',
  /** On its way to Active: waited for, never touched. */
  settling: new Set(['Creating', 'Pending']) as ReadonlySet<string>,
  /** On its way out: it stands for nothing any more. */
  going: 'Deleting',
} as const;

/** An endpoint: `Creating → Active`, `Pending` while a zone changes, `Deleting`; and its connection. */
export const ENDPOINT_STATES = {
  /** The only status in which an endpoint takes a change (and the only one it can be deleted in). */
  settled: 'Active',
  /** On its way to Active: waited for, never touched. */
  settling: new Set(['Creating', 'Pending']) as ReadonlySet<string>,
  /** On its way out (the endpoint, or one of its zones): it stands for nothing any more. */
  going: 'Deleting',
  /** The connection's end state. */
  connected: 'Connected',
  /** Accepted, on its way to Connected: only waited for. */
  connecting: 'Connecting',
  /** A new endpoint's connection before the provider accepts it. */
  awaitingAccept: 'Pending',
  /** Connections the provider accepts (EnableVpcEndpointConnection). */
  acceptable: new Set(['Pending', 'Disconnected']) as ReadonlySet<string>,
  /** Connections on their way: only waited for. */
  moving: new Set(['Connecting', 'Disconnecting']) as ReadonlySet<string>,
} as const;
