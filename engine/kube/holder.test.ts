import { holderIdentity, localHolderPid } from './holder';

describe('the Lease holder identity', () => {
  test('is unique per process and stable within it', () => {
    expect(holderIdentity()).toBe(holderIdentity());
    expect(holderIdentity()).toMatch(/^kubectl-asmpvl@.+\/\d+\/[^/.]+\.r[0-9a-f]{12}$/);
  });

  test('a holder is local only on this host and in this pid namespace', () => {
    expect(localHolderPid('kubectl-asmpvl@host-a/42/4026531836.r0123456789ab', 'host-a', '4026531836')).toBe(42);
    // Another container with the same host name counts pids in another namespace: never judged here.
    expect(localHolderPid('kubectl-asmpvl@host-a/42/4026532000.r0123456789ab', 'host-a', '4026531836')).toBe(undefined);
    expect(localHolderPid('kubectl-asmpvl@host-b/42/4026531836.r0123456789ab', 'host-a', '4026531836')).toBe(undefined);
    expect(localHolderPid('kubectl-asmpvl@host-a/42/unknown.r0123456789ab', 'host-a', 'unknown')).toBe(undefined);
    expect(localHolderPid('asmpvl-controller-7d9f-abcde', 'host-a', '4026531836')).toBe(undefined);
  });

  test('this process is recognised as local, with its own pid', () => {
    const namespace = /\.r/.test(holderIdentity()) ? holderIdentity().split('/')[2]!.split('.')[0]! : '';
    const host = holderIdentity().slice('kubectl-asmpvl@'.length).split('/')[0]!;
    if (namespace !== 'unknown') expect(localHolderPid(holderIdentity(), host, namespace)).toBe(process.pid);
  });
});
