import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ConnectionLimits {
  /** Open connections at most, from every source together. */
  maxConnections: number;
  /** Open connections at most from one source address. */
  maxPerSource: number;
  /** A connection that has not yet sent a review is closed after this long without a request. */
  idleBeforeReviewMs: number;
}

/** Why the guard closed a connection: the label of the webhook's closed-connections counter. */
export type ClosedReason = 'idle_before_review' | 'evicted' | 'refused';

/** What the guard knows of one open connection. */
export interface TrackedConnection {
  readonly socket: Socket;
  readonly source: string;
  /** Address and port of the peer: the TLS socket over this one reports the same. */
  readonly peer: string;
  /** It has had a review answered: the API server's connections, after their first write. */
  reviewed: boolean;
  /** Requests it has in progress (HTTP/1.1 keeps it to one). */
  active: number;
  /** When it last had a request end, or when its TLS handshake ended. */
  lastActive: number;
  /** Its TLS handshake is done; until then the handshake timeout, not the idle one, applies. */
  secured: boolean;
}

/**
 * The connection to close so that a new one fits, among `candidates`: one with no request in progress,
 * preferring one that never sent a review (a probe's, a scraper's, or one held open doing nothing), then
 * the one idle longest. Undefined when every candidate is in the middle of a request.
 */
export function connectionToEvict(candidates: Iterable<TrackedConnection>): TrackedConnection | undefined {
  let chosen: TrackedConnection | undefined;
  for (const connection of candidates) {
    if (connection.active > 0) continue;
    if (
      chosen === undefined ||
      (chosen.reviewed && !connection.reviewed) ||
      (chosen.reviewed === connection.reviewed && connection.lastActive < chosen.lastActive)
    )
      chosen = connection;
  }
  return chosen;
}

/**
 * Bounds what one client can hold. Each source address may keep `maxPerSource` connections, so the rest
 * of `maxConnections` stays for others; the API server keeps a few keep-alive connections per replica and
 * the kubelet probes on a fresh connection each time, so neither comes near it. A new connection is never
 * turned away while an idle one can make room: past either cap, the idle connection of the fullest source
 * (the newcomer's own when that is the one at its cap) is closed, one that never sent a review first. A
 * connection that has not yet sent a review is closed after `idleBeforeReviewMs` without a request, so
 * nothing is held open by an occasional GET.
 */
export class ConnectionGuard {
  private readonly bySource = new Map<string, Set<TrackedConnection>>();
  private readonly byPeer = new Map<string, TrackedConnection>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly onClosed: (reason: ClosedReason) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {
    const every = Math.max(20, Math.min(1_000, limits.idleBeforeReviewMs / 4));
    this.sweeper = setInterval(() => this.closeIdleBeforeReview(), every).unref();
  }

  /** Open connections the guard tracks. */
  get size(): number {
    return this.byPeer.size;
  }

  /** Takes a newly accepted TCP connection in, making room for it or closing it. */
  admit(socket: Socket): void {
    const source = socket.remoteAddress ?? 'unknown';
    const peer = peerKey(socket);
    if (peer === undefined) return void socket.destroy();
    if (!this.makeRoomFor(source)) {
      this.onClosed('refused');
      return void socket.destroy();
    }
    const connection: TrackedConnection = {
      socket,
      source,
      peer,
      reviewed: false,
      active: 0,
      lastActive: this.now(),
      secured: false,
    };
    let fromSource = this.bySource.get(source);
    if (fromSource === undefined) this.bySource.set(source, (fromSource = new Set()));
    fromSource.add(connection);
    this.byPeer.set(peer, connection);
    socket.once('close', () => this.forget(connection));
  }

  /** Starts the idle clock of a connection whose TLS handshake just ended (by its TLS socket). */
  secured(socket: Socket): void {
    const peer = peerKey(socket);
    const connection = peer === undefined ? undefined : this.byPeer.get(peer);
    if (connection === undefined) return;
    connection.secured = true;
    connection.lastActive = this.now();
  }

  /** The connection a request arrived on (by its TLS socket), marked busy; undefined if not tracked. */
  requestStarted(socket: Socket): TrackedConnection | undefined {
    const peer = peerKey(socket);
    const connection = peer === undefined ? undefined : this.byPeer.get(peer);
    if (connection) connection.active++;
    return connection;
  }

  /** Marks the request over; `reviewed` when it was a review that got an answer. */
  requestEnded(connection: TrackedConnection, reviewed: boolean): void {
    connection.active = Math.max(0, connection.active - 1);
    connection.lastActive = this.now();
    if (reviewed) connection.reviewed = true;
  }

  /** Closes every connection that never sent a review and has been idle past the limit. */
  closeIdleBeforeReview(): void {
    const cutoff = this.now() - this.limits.idleBeforeReviewMs;
    for (const connection of this.byPeer.values()) {
      if (!connection.secured || connection.reviewed || connection.active > 0 || connection.lastActive > cutoff)
        continue;
      this.close(connection, 'idle_before_review');
    }
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private makeRoomFor(source: string): boolean {
    const fromSource = this.bySource.get(source);
    if (fromSource !== undefined && fromSource.size >= this.limits.maxPerSource) return this.evictFrom([fromSource]);
    if (this.byPeer.size < this.limits.maxConnections) return true;
    const fullestFirst = [...this.bySource.values()].sort((a, b) => b.size - a.size);
    return this.evictFrom(fullestFirst);
  }

  private evictFrom(sources: Iterable<Set<TrackedConnection>>): boolean {
    for (const connections of sources) {
      const victim = connectionToEvict(connections);
      if (victim === undefined) continue;
      this.close(victim, 'evicted');
      return true;
    }
    return false;
  }

  private close(connection: TrackedConnection, reason: ClosedReason): void {
    this.forget(connection);
    connection.socket.destroy();
    this.onClosed(reason);
  }

  private forget(connection: TrackedConnection): void {
    if (this.byPeer.get(connection.peer) === connection) this.byPeer.delete(connection.peer);
    const fromSource = this.bySource.get(connection.source);
    if (fromSource === undefined) return;
    fromSource.delete(connection);
    if (fromSource.size === 0) this.bySource.delete(connection.source);
  }
}

// The TCP socket and the TLS socket over it report the same peer, so requests find their connection by it.
function peerKey(socket: Socket): string | undefined {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined || remotePort === undefined ? undefined : `${remoteAddress}:${remotePort}`;
}
