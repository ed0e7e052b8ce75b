/**
 * What every cloud resource manager shares: the run's cloud, clock and deadline, and the rules of
 * an idempotent create. A manager (endpoint-services.ts, endpoints.ts, san-tasks.ts) looks before
 * it acts, owns the error codes its resource tolerates and says what "settled" means for it; the
 * step dispatcher (steps.ts) only picks which manager call a plan step is.
 */
import { randomUUID } from 'node:crypto';
import { hasCode, type ProvisioningCloud } from '../cloud-port';
import { ProvisioningInputError } from '../errors';
import type { BatchedPoll } from '../polls';
import { type Deadline, type PollOptions, pollUntil, type WaitPolicy } from '../waits';

export interface ManagerContext {
  cloud: ProvisioningCloud;
  deadline: Deadline;
  waits: WaitPolicy;
  signal?: AbortSignal;
  /**
   * False with --no-wait: a create counts as made once the cloud answers with a resource that is
   * not already gone, without waiting for it to settle.
   */
  wait: boolean;
}

/**
 * The ClientToken of one create attempt, from its parameters: deterministic for a resource's role
 * in a spec (client-token.ts), so a run resumed after a kill re-sends the same token.
 */
export type CreateToken = (parameters: Record<string, unknown>) => string;

/** The token of a write made safe by looking first: the same on each retry of one call, new per call. */
export const oneOffToken = (): string => randomUUID();

/** Poll options for a wait of `context`'s run. */
function pollOptions<T>(context: ManagerContext, what: string, describe: (value: T) => string): PollOptions<T> {
  return { deadline: context.deadline, waits: context.waits, signal: context.signal, what, describe };
}

/**
 * Reads one resource through the run's shared polls (batched into list calls while many wait) until
 * `done` holds; undefined once it is gone. `what` and `describe` word the timeout.
 */
export function pollShared<T>(
  context: ManagerContext,
  poll: BatchedPoll<T>,
  id: string,
  done: (found: T | undefined) => boolean,
  what: string,
  describe: (found: T | undefined) => string,
): Promise<T | undefined> {
  return poll.watch(() => pollUntil(() => poll.read(id), done, pollOptions(context, what, describe)));
}

// A resource deleted behind our back more often than this within one run is someone else's fight.
export const MAX_REPLAYED_CREATES = 4;

/**
 * A create whose ClientToken names this attempt, not the resource's role. The first attempt sends
 * the token of `parameters`; when the cloud answers with a resource that is gone (a replay of an
 * earlier create whose resource was deleted since: the cloud remembers tokens), the next attempt
 * chains the gone id into its token. A run resumed after a kill walks the same chain, so it
 * re-sends the token of the create that was in flight and gets that resource back, never a second
 * one. `exists` says whether the answered resource is still there (and, when waiting, settled).
 */
export async function createReplayingTokens(
  parameters: Record<string, unknown>,
  tokenFor: CreateToken,
  create: (clientToken: string) => Promise<string>,
  exists: (id: string) => Promise<boolean>,
): Promise<string> {
  const replayed: string[] = [];
  for (;;) {
    const chained = replayed.length > 0 ? { ...parameters, replacing: replayed } : parameters;
    const id = await create(tokenFor(chained));
    if (await exists(id)) return id;
    replayed.push(id);
    if (replayed.length >= MAX_REPLAYED_CREATES)
      throw new ProvisioningInputError(
        `${replayed.join(', ')}: each was gone as soon as it was made; something deletes them (the console, another tool): stop it and the next run recreates the resource`,
      );
  }
}

/** Runs a write, treating an error with one of `codes` as "already so". */
export async function tolerating(codes: readonly string[], write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!hasCode(error, ...codes)) throw error;
  }
}
