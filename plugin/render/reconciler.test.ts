import { reconcilerLine } from './reconciler';

test('names the newest status writer and when, and the controller the object names', () => {
  const config = {
    metadata: {
      annotations: { 'asmpvl.io/controller': 'asmpvl-system/asmpvl-controller' },
      managedFields: [
        { manager: 'kubectl-asmpvl', subresource: 'status', time: '2026-11-30T10:00:00Z' },
        { manager: 'asmpvl-controller', subresource: 'status', time: '2026-11-30T11:59:48Z' },
        { manager: 'kubectl-client-side-apply', time: '2026-11-30T11:59:59Z' },
      ],
    },
  };
  expect(reconcilerLine(config)).toBe(
    'Reconciled by: asmpvl-controller at 2026-11-30T11:59:48Z (controller asmpvl-system/asmpvl-controller)',
  );
});

test('the plugin alone, an unknown writer, and nothing known', () => {
  const fields = (manager: string) => ({
    metadata: { managedFields: [{ manager, subresource: 'status', time: '2026-11-30T09:00:00Z' }] },
  });
  expect(reconcilerLine(fields('kubectl-asmpvl'))).toBe(
    'Reconciled by: kubectl asmpvl (plugin) at 2026-11-30T09:00:00Z',
  );
  expect(reconcilerLine(fields('vendor'))).toBe('Reconciled by: vendor (not asmpvl) at 2026-11-30T09:00:00Z');
  expect(reconcilerLine({ metadata: {} })).toBeUndefined();
});
