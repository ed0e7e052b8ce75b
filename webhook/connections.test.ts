import type { Socket } from 'node:net';
import { connectionToEvict, type TrackedConnection } from './connections';

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
