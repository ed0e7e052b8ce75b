/**
 * Doctor's look at who reconciles the object: asmpvl-controller running and leading (its Lease),
 * when it last wrote the status, its last error, and a status written by a manager that is not
 * asmpvl (the vendor's own controller), which makes asmpvl-controller refuse to act. Pure.
 */
import { KNOWN_STATUS_MANAGERS, leaseHeld } from '../../engine/provisioning/controller-protocol';
import type { Finding } from './checks';

export interface ControllerObservation {
  /** `namespace/name` of the Lease the object names (annotation asmpvl.io/controller), if any. */
  lease?: string;
  /** That Lease's spec, when it exists. */
  leaseSpec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
  /** Writers of the status subresource (managedFields). */
  statusWriters: Array<{ manager: string; time?: string }>;
  /** The Ready and Controller conditions as stored. */
  ready?: { status: string; reason?: string; message?: string };
  now: number;
}

function ago(time: string | undefined, now: number): string {
  const at = Date.parse(time ?? '');
  if (Number.isNaN(at)) return 'at an unknown time';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)}m ago`;
}

/** The findings about the controller, in the order a reader needs them. */
export function controllerFindings(observation: ControllerObservation): Finding[] {
  const title = 'asmpvl-controller';
  const foreign = observation.statusWriters.filter((writer) => !KNOWN_STATUS_MANAGERS.has(writer.manager));
  if (foreign.length > 0) {
    const names = [...new Set(foreign.map((writer) => writer.manager))].join(', ');
    return [
      {
        check: 'controller/manager',
        title: 'who writes the status',
        status: 'fail',
        message: `the status of asmpvlconfig/default is written by ${names}, which is not asmpvl: another controller (on an ASM instance, the vendor's managed one) manages this object, and asmpvl-controller refuses to act on it`,
        fix: `leave the object to that controller (do not run connect or asmpvl-controller against it); if it is gone for good, kubectl annotate asmpvlconfig default asmpvl.io/adopt-status=true`,
      },
    ];
  }
  if (!observation.lease)
    return [
      {
        check: 'controller',
        title,
        status: 'ok',
        message:
          'no controller has claimed asmpvlconfig/default: the plugin provisions (connect, disconnect, sync-san)',
      },
    ];
  const findings: Finding[] = [];
  const spec = observation.leaseSpec;
  const held = spec !== undefined && leaseHeld(spec, observation.now, 0);
  const namespace = observation.lease.split('/')[0];
  findings.push(
    held
      ? {
          check: 'controller',
          title,
          status: 'ok',
          message: `running: ${spec.holderIdentity} leads (lease ${observation.lease} renewed ${ago(spec.renewTime, observation.now)}); connect and disconnect hand their work to it`,
        }
      : {
          check: 'controller',
          title,
          status: 'warn',
          message: `not running: lease ${observation.lease} ${spec ? `was last renewed ${ago(spec.renewTime, observation.now)}` : 'does not exist'}; until it is back, the plugin provisions by itself`,
          fix: `kubectl -n ${namespace} get pods -l app.kubernetes.io/component=controller, and their logs`,
        },
  );
  const lastWrite = observation.statusWriters
    .filter((writer) => writer.manager === 'asmpvl-controller')
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''))[0];
  const failed = observation.ready?.status === 'False';
  findings.push({
    check: 'controller/last-reconcile',
    title: 'its last reconcile',
    status: failed ? 'warn' : 'ok',
    message: `${lastWrite ? `status written ${ago(lastWrite.time, observation.now)}` : 'no status written by it yet'}${
      failed ? `; not Available: ${observation.ready?.reason ?? 'NotReady'}: ${observation.ready?.message ?? ''}` : ''
    }`,
    ...(failed ? { fix: 'kubectl describe asmpvlconfig default shows its Warning events' } : {}),
  });
  return findings;
}
