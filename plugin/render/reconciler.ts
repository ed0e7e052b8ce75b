/**
 * Who keeps the object converged, for `status`: the writer of the newest status (managedFields of
 * the status subresource) and when it wrote, and the controller the object names, if any.
 */
const WRITERS: Record<string, string> = {
  'asmpvl-controller': 'asmpvl-controller',
  'kubectl-asmpvl': 'kubectl asmpvl (plugin)',
};

export interface WithMetadata {
  metadata?: {
    annotations?: Record<string, string>;
    managedFields?: Array<{ manager?: string; subresource?: string; time?: string }>;
  };
}

/**
 * "Reconciled by: asmpvl-controller at 2026-11-30T11:59:48Z (controller asmpvl-system/asmpvl-controller)",
 * or undefined when unknown. A time, not "12s ago": the same object always renders the same text.
 */
export function reconcilerLine(config: WithMetadata): string | undefined {
  const newest = (config.metadata?.managedFields ?? [])
    .filter((entry) => entry.subresource === 'status' && entry.manager)
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''))[0];
  const controller = config.metadata?.annotations?.['asmpvl.io/controller'];
  if (!newest && !controller) return undefined;
  const writer = newest ? (WRITERS[newest.manager!] ?? `${newest.manager} (not asmpvl)`) : 'nobody yet';
  const when = newest?.time ? ` at ${newest.time}` : '';
  return `Reconciled by: ${writer}${when}${controller ? ` (controller ${controller})` : ''}`;
}
