import { controllerFindings } from './controller';

const NOW = Date.parse('2026-11-30T12:00:00Z');

test('a foreign status writer fails the check, names it and says how to adopt', () => {
  const [finding] = controllerFindings({
    statusWriters: [{ manager: 'asm-managed-pvl-controller', time: '2026-11-30T11:00:00Z' }],
    now: NOW,
  });
  expect(finding).toMatchObject({ check: 'controller/manager', status: 'fail' });
  expect(finding!.message).toContain('asm-managed-pvl-controller');
  expect(finding!.fix).toContain('asmpvl.io/adopt-status=true');
});

test('plugin mode, a leading controller, a stale Lease, a failed last reconcile', () => {
  expect(controllerFindings({ statusWriters: [], now: NOW })).toEqual([
    expect.objectContaining({
      check: 'controller',
      status: 'ok',
      message: expect.stringContaining('the plugin provisions'),
    }),
  ]);
  const leading = controllerFindings({
    lease: 'asmpvl-system/asmpvl-controller',
    leaseSpec: { holderIdentity: 'pod-a_1', renewTime: '2026-11-30T11:59:58.000000Z', leaseDurationSeconds: 15 },
    statusWriters: [{ manager: 'asmpvl-controller', time: '2026-11-30T11:59:30Z' }],
    ready: { status: 'True', reason: 'Available' },
    now: NOW,
  });
  expect(leading.map((finding) => `${finding.check}:${finding.status}`)).toEqual([
    'controller:ok',
    'controller/last-reconcile:ok',
  ]);
  expect(leading[0]!.message).toContain('pod-a_1 leads');
  expect(leading[1]!.message).toBe('status written 30s ago');
  const stale = controllerFindings({
    lease: 'asmpvl-system/asmpvl-controller',
    leaseSpec: { holderIdentity: 'pod-a_1', renewTime: '2026-11-30T11:50:00.000000Z', leaseDurationSeconds: 15 },
    statusWriters: [],
    ready: { status: 'False', reason: 'ProvisioningFailed', message: 'Forbidden.RAM' },
    now: NOW,
  });
  expect(stale.map((finding) => `${finding.check}:${finding.status}`)).toEqual([
    'controller:warn',
    'controller/last-reconcile:warn',
  ]);
  expect(stale[0]!.message).toContain('last renewed 10m ago');
  expect(stale[1]!.message).toContain('ProvisioningFailed: Forbidden.RAM');
});
