import { presentController, serverTime } from './controller-protocol';

// A controller renewed its Lease (15 s) at 12:00:00 by the cluster's clock.
const renewed = Date.parse('2026-12-05T12:00:00Z');
const lease = (serverAt: number | undefined) => ({
  lease: 'asmpvl-system/asmpvl-controller',
  spec: { holderIdentity: 'asmpvl-controller-0', renewTime: '2026-12-05T12:00:00.000000Z', leaseDurationSeconds: 15 },
  serverTime: serverAt,
});

describe("a controller's Lease is judged by the API server's clock", () => {
  test('alive 3 s after its renewal by the server, whatever this machine believes the time is', () => {
    for (const laptopOffsetMs of [-3_600_000, -25_000, 0, 25_000, 3_600_000])
      expect(presentController(lease(renewed + 3_000), renewed + 3_000 + laptopOffsetMs)).toEqual({
        lease: 'asmpvl-system/asmpvl-controller',
        holder: 'asmpvl-controller-0',
        renewTime: '2026-12-05T12:00:00.000000Z',
      });
  });

  test('gone 60 s after its renewal by the server, even to a laptop an hour behind', () => {
    for (const laptopOffsetMs of [-3_600_000, -25_000, 0, 25_000])
      expect(presentController(lease(renewed + 60_000), renewed + 60_000 + laptopOffsetMs)).toBeUndefined();
  });

  test("this machine's clock only when the answer had no Date", () => {
    expect(presentController(lease(undefined), renewed + 3_000)).toBeDefined();
    expect(presentController(lease(undefined), renewed + 60_000)).toBeUndefined();
  });

  test('reads the Date header as HTTP writes it', () => {
    expect(serverTime({ date: 'Sat, 05 Dec 2026 12:00:03 GMT' })).toBe(renewed + 3_000);
    expect(serverTime({})).toBeUndefined();
    expect(serverTime({ date: 'yesterday-ish' })).toBeUndefined();
  });
});
