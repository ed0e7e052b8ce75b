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

function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h ago` : `${Math.round(hours / 24)}d ago`;
}

/** "Reconciled by: asmpvl-controller 12s ago (controller asmpvl-system/asmpvl-controller)", or undefined when unknown. */
export function reconcilerLine(config: WithMetadata, now = Date.now()): string | undefined {
  const newest = (config.metadata?.managedFields ?? [])
    .filter((entry) => entry.subresource === 'status' && entry.manager)
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''))[0];
  const controller = config.metadata?.annotations?.['asmpvl.io/controller'];
  if (!newest && !controller) return undefined;
  const writer = newest
    ? (WRITERS[newest.manager!] ?? `${newest.manager} (not asmpvl: another controller?)`)
    : 'nobody yet';
  const when = newest?.time ? ` ${ago(now - Date.parse(newest.time))}` : '';
  return `Reconciled by: ${writer}${when}${controller ? ` (controller ${controller})` : ''}`;
}
