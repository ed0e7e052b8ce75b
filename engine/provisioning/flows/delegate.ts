/**
 * A flow handed to a running asmpvl-controller: the plugin has edited the spec (or only asked), and
 * waits until the controller's status answers its request, showing the status as it moves. The
 * controller does the cloud work; two provisioners never act side by side.
 */
import type { StoredConfig } from '../../kube/store';
import type { ControllerPresence } from '../controller-protocol';
import { ProvisioningInputError } from '../errors';
import type { AsmPvlStatus, RecordedFailure } from '../status';
import { systemClock } from '../../clock';
import { pollUntil } from '../waits';
import type { FlowContext } from './context';

// The controller writes its status within a second of each step; a person watches at this pace.
const POLL_MS = 500;

type Condition = NonNullable<AsmPvlStatus['conditions']>[number];

const conditionOf = (config: StoredConfig, type: string): Condition | undefined =>
  config.status?.conditions?.find((condition) => condition.type === type);

/** The controller refused the object (another manager owns its status): waiting would never end. */
function refusal(config: StoredConfig): string | undefined {
  const condition = conditionOf(config, 'Controller');
  return condition?.status === 'False' ? condition.message : undefined;
}

/** Waits for the controller to answer `token`; resolves to the object as it then is. */
export async function awaitController(
  context: FlowContext,
  presence: ControllerPresence,
  token: string,
): Promise<StoredConfig> {
  const { progress, store } = context;
  progress.info(
    `asmpvl-controller reconciles asmpvlconfig/default (lease ${presence.lease}, leader ${presence.holder}): asked it, waiting for its status`,
  );
  let shown = '';
  const read = async () => {
    const config = await store.getConfig();
    const ready = config && conditionOf(config, 'Ready');
    const line = config ? `status: ${config.status?.status ?? 'none yet'}${ready ? ` (${ready.reason})` : ''}` : '';
    if (line && line !== shown) progress.info(line);
    shown = line;
    return config;
  };
  const config = await pollUntil(
    read,
    (found) => !found || found.status?.lastHandledReconcileAt === token || refusal(found) !== undefined,
    {
      deadline: context.deadline,
      waits: {
        clock: context.waits?.clock ?? systemClock,
        initialMs: POLL_MS,
        lateFraction: 0,
        maxIntervalMs: POLL_MS,
        perWaitMs: Number.POSITIVE_INFINITY,
      },
      signal: context.signal,
      what: `asmpvl-controller to answer the reconcile request ${token}`,
      describe: (found) => `status ${found?.status?.status ?? 'none'}`,
    },
  );
  if (!config) throw new ProvisioningInputError('asmpvlconfig/default was deleted while the controller worked on it');
  const refused = refusal(config);
  if (refused) throw new ProvisioningInputError(refused);
  return config;
}

/** The failures the controller's status records for `clusterIds` (none when Available). */
export function failuresInStatus(status: AsmPvlStatus | undefined, clusterIds: string[]): RecordedFailure[] {
  if (!status || status.status === 'Available') return [];
  const ready = status.conditions?.find((condition) => condition.type === 'Ready');
  const failing = (status.conditions ?? []).filter(
    (condition) => condition.status === 'False' && condition.type !== 'Ready',
  );
  const named = failing.filter((condition) => clusterIds.some((id) => condition.message?.includes(id)));
  const chosen = named.length > 0 ? named : failing.length > 0 ? failing : ready ? [ready] : [];
  return chosen.map((condition) => ({
    area: 'discovery',
    reason: condition.reason ?? 'NotAvailable',
    message: `${condition.type}: ${condition.message ?? condition.reason ?? 'not available'}`,
  }));
}
