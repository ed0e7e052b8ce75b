import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import {
  type ClosedReason,
  ConnectionGuard,
  type ConnectionLimits,
  connectionToEvict,
  type TrackedConnection,
} from './connections';

const connection = (name: string, fields: Partial<TrackedConnection>): TrackedConnection => ({
  socket: { name } as unknown as Socket,
  source: '10.0.0.1',
  peer: `10.0.0.1:${name}`,
  reviewed: false,
  active: 0,
  lastActive: 0,
  secured: true,
  ...fields,
});

describe('connectionToEvict', () => {
  test('prefers an idle connection that never sent a review over an older one that did', () => {
    const apiServer = connection('api', { reviewed: true, lastActive: 1 });
    const holder = connection('holder', { lastActive: 50 });
    expect(connectionToEvict([apiServer, holder])).toBe(holder);
  });

  test('among alike, the one idle longest', () => {
    const older = connection('older', { lastActive: 10 });
    const newer = connection('newer', { lastActive: 20 });
    expect(connectionToEvict([newer, older])).toBe(older);
    const reviewedOlder = connection('a', { reviewed: true, lastActive: 5 });
    const reviewedNewer = connection('b', { reviewed: true, lastActive: 7 });
    expect(connectionToEvict([reviewedNewer, reviewedOlder])).toBe(reviewedOlder);
  });

  test('never one in the middle of a request; none when all are', () => {
    const busy = connection('busy', { active: 1, lastActive: 0 });
    const idle = connection('idle', { reviewed: true, lastActive: 99 });
    expect(connectionToEvict([busy, idle])).toBe(idle);
    expect(connectionToEvict([busy])).toBeUndefined();
  });
});

/** A TCP socket as the guard sees it: a peer address, destroy(), and a 'close' event. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    super();
  }
  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.emit('close');
    return this;
  }
}

describe('ConnectionGuard', () => {
  let clock = 0;
  let nextPort = 40_000;
  let closed: ClosedReason[] = [];
  const guards: ConnectionGuard[] = [];
  const guardOf = (limits: Partial<ConnectionLimits>) => {
    const guard = new ConnectionGuard(
      { maxConnections: 10, maxPerSource: 3, idleBeforeReviewMs: 5_000, ...limits },
      (reason) => closed.push(reason),
      () => clock,
    );
    guards.push(guard);
    return guard;
  };
  /** A connection from `source` admitted and through its TLS handshake. */
  const open = (guard: ConnectionGuard, source: string) => {
    const socket = new FakeSocket(source, nextPort++);
    guard.admit(socket as unknown as Socket);
    if (!socket.destroyed) guard.secured(socket as unknown as Socket);
    return socket;
  };
  const request = (guard: ConnectionGuard, socket: FakeSocket) => guard.requestStarted(socket as unknown as Socket)!;

  beforeEach(() => {
    clock = 0;
    closed = [];
  });
  afterEach(() => guards.splice(0).forEach((guard) => guard.stop()));

  test('a source at its cap makes room by closing its own idle connection, not another source', () => {
    const guard = guardOf({ maxPerSource: 3 });
    const other = open(guard, '10.0.0.9');
    const own = [open(guard, '10.0.0.1'), open(guard, '10.0.0.1'), open(guard, '10.0.0.1')];
    clock = 100;
    const newcomer = open(guard, '10.0.0.1');
    expect(newcomer.destroyed).toBe(false);
    expect(own.map((socket) => socket.destroyed)).toEqual([true, false, false]);
    expect(other.destroyed).toBe(false);
    expect(closed).toEqual(['evicted']);
    expect(guard.size).toBe(4);
  });

  test('a source whose connections are all mid-request is refused its next one; other sources still get in', () => {
    const guard = guardOf({ maxPerSource: 2 });
    for (const socket of [open(guard, '10.0.0.1'), open(guard, '10.0.0.1')]) request(guard, socket);
    expect(open(guard, '10.0.0.1').destroyed).toBe(true);
    expect(closed).toEqual(['refused']);
    expect(open(guard, '10.0.0.2').destroyed).toBe(false);
  });

  test('past the total cap the fullest source gives way, keeping the connection that carried reviews', () => {
    const guard = guardOf({ maxConnections: 4, maxPerSource: 4 });
    const apiServer = open(guard, '10.0.0.2');
    guard.requestEnded(request(guard, apiServer), true);
    const holder = [open(guard, '10.0.0.1'), open(guard, '10.0.0.1'), open(guard, '10.0.0.1')];
    // The kubelet's probe: a new source while every slot is taken.
    const probe = open(guard, '10.0.0.3');
    expect(probe.destroyed).toBe(false);
    expect(apiServer.destroyed).toBe(false);
    expect(holder.filter((socket) => socket.destroyed)).toHaveLength(1);
    expect(closed).toEqual(['evicted']);
  });

  test('a silent connection is closed after the idle limit; one mid-request, one that sent a review, or one still in its handshake is kept', () => {
    const guard = guardOf({ idleBeforeReviewMs: 5_000 });
    const silent = open(guard, '10.0.0.1');
    const busy = open(guard, '10.0.0.1');
    request(guard, busy);
    const reviewer = open(guard, '10.0.0.2');
    guard.requestEnded(request(guard, reviewer), true);
    const handshaking = new FakeSocket('10.0.0.3', nextPort++);
    guard.admit(handshaking as unknown as Socket);
    clock = 4_999;
    guard.closeIdleBeforeReview();
    expect(silent.destroyed).toBe(false);
    clock = 5_001;
    guard.closeIdleBeforeReview();
    expect([silent, busy, reviewer, handshaking].map((socket) => socket.destroyed)).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(closed).toEqual(['idle_before_review']);
  });

  test('a probe connection that keeps asking is closed once idle: an answered GET is not a review', () => {
    const guard = guardOf({ idleBeforeReviewMs: 5_000 });
    const prober = open(guard, '10.0.0.1');
    clock = 4_000;
    guard.requestEnded(request(guard, prober), false);
    clock = 8_000;
    guard.closeIdleBeforeReview();
    expect(prober.destroyed).toBe(false);
    clock = 9_001;
    guard.closeIdleBeforeReview();
    expect(prober.destroyed).toBe(true);
  });
});
