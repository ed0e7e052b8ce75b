/**
 * Doctor's verdict on the RAM permissions: each action asmpvl calls was probed without changing
 * anything (engine/cloud/permissions.ts); a denied one becomes a failed finding that names the RAM
 * action, what needs it, the cloud's answer, and the policy line that grants it. Pure.
 */
import type { Finding } from './checks';

/** What one probe found, as far as a finding needs it. */
export interface PermissionObservation {
  ramAction: string;
  /** Why asmpvl calls it (the catalogue's purpose). */
  purpose: string;
  status: 'allowed' | 'denied' | 'unknown';
  /** How it was checked: with DryRun, a read, or a call on an id no one owns. */
  probe: 'dry-run' | 'read' | 'absent-resource';
  code?: string;
  requestId?: string;
  message?: string;
  /** Across accounts: whose permission it is (`role <arn>`, `the mesh account`); absent in one account. */
  identity?: string;
}

const TITLE = 'RAM permissions of these credentials';

/** The policy line granting one action, as `kubectl asmpvl policy` writes it. */
export function grantLine(ramAction: string): string {
  return `{"Effect": "Allow", "Action": "${ramAction}", "Resource": "*"}`;
}

function answer(observation: PermissionObservation): string {
  const facts = [observation.code, observation.requestId ? `request id ${observation.requestId}` : undefined].filter(
    (fact) => fact !== undefined,
  );
  return facts.length > 0 ? ` (${facts.join(', ')})` : '';
}

function deniedFinding(observation: PermissionObservation): Finding {
  const of = observation.identity ? ` of ${observation.identity}` : '';
  return {
    check: observation.identity
      ? `permission/${observation.identity}/${observation.ramAction}`
      : `permission/${observation.ramAction}`,
    title: `RAM permission ${observation.ramAction}${of}`,
    status: 'fail',
    message: `denied${answer(observation)}; needed for ${observation.purpose}${observation.message && observation.identity ? `: ${observation.message}` : ''}`,
    fix: `add ${grantLine(observation.ramAction)} to the RAM policy${of || ' of this user or role'} (kubectl asmpvl policy prints the whole policy${observation.identity ? ', by account, with --cluster-role' : ''})`,
  };
}

/**
 * One failed finding per denied action; otherwise one finding for all of them: ok, or a warning
 * naming the actions a probe could not decide (throttled, a network error).
 */
export function permissionFindings(observations: PermissionObservation[]): Finding[] {
  const denied = observations.filter((observation) => observation.status === 'denied');
  if (denied.length > 0) return denied.map(deniedFinding);
  const unknown = observations.filter((observation) => observation.status === 'unknown');
  if (unknown.length > 0) {
    return [
      {
        check: 'permissions',
        title: TITLE,
        status: 'warn',
        message: `could not tell for ${unknown.map((observation) => `${observation.ramAction}${answer(observation)}`).join(', ')}; the other ${observations.length - unknown.length} are allowed`,
        fix: 'run doctor again; if it persists, check the cloud endpoint and the network',
      },
    ];
  }
  const dryRuns = observations.filter((observation) => observation.probe === 'dry-run').length;
  const identities = new Set(observations.flatMap((observation) => observation.identity ?? []));
  const whose = identities.size > 1 ? ` across ${identities.size} identities (${[...identities].join('; ')})` : '';
  return [
    {
      check: 'permissions',
      title: TITLE,
      status: 'ok',
      message: `all ${observations.length} RAM actions asmpvl calls are allowed${whose} (${dryRuns} checked with DryRun, the others with a read or a call on an id no one owns; nothing changed)`,
    },
  ];
}
