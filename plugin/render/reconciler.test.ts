import { reconcilerLine } from './reconciler';

const NOW = Date.parse('2026-11-30T12:00:00Z');

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
  expect(reconcilerLine(config, NOW)).toBe(
    'Reconciled by: asmpvl-controller 12s ago (controller asmpvl-system/asmpvl-controller)',
  );
});

test('the plugin alone, an unknown writer, and nothing known', () => {
  const fields = (manager: string) => ({
    metadata: { managedFields: [{ manager, subresource: 'status', time: '2026-11-30T09:00:00Z' }] },
  });
  expect(reconcilerLine(fields('kubectl-asmpvl'), NOW)).toBe('Reconciled by: kubectl asmpvl (plugin) 3h ago');
  expect(reconcilerLine(fields('vendor'), NOW)).toBe('Reconciled by: vendor (not asmpvl: another controller?) 3h ago');
  expect(reconcilerLine({ metadata: {} }, NOW)).toBeUndefined();
});
