/**
 * The state polls of one run's steps, shared. Each wait for an endpoint (or endpoint service) to
 * be Active, Connected or gone reads it again and again; with a few waits under way each asks the
 * cloud itself (GetVpcEndpointAttribute), but with more than a few, one paged list of everything
 * tagged for the mesh (ListVpcEndpoints, 50 a page) answers every read waiting at that moment:
 * 100 clusters' 200 endpoints then cost a few list pages per round instead of 200 Gets.
 *
 * A read is answered by a list that starts after it was asked (never by an older answer), and a
 * resource the list does not show (just created and not listed yet, or gone) is asked for alone,
 * so "gone" still means the cloud said NotFound.
 */
import type { Endpoint, EndpointService } from '../cloud/privatelink';
import type { ProvisioningCloud } from './cloud-port';
import { meshFilter } from './tags';
import type { Clock } from '../clock';
import { CancelledError } from './waits';

/** Waits under way at or below this many read one by one. */
export const FEW_POLLS = 3;
/**
 * Lists of one kind start at least this far apart; reads asked in between wait for the next. A
 * batched read is thus up to this much later than the wait's own interval (200 ms at first, see
 * waits.ts), so it is of that order; 100 clusters' 200 endpoints (4 pages) then cost 16 list
 * calls a second, under the cloud's 20 reads a second per action.
 */
export const LIST_GAP_MS = 250;

interface Waiter<T> {
  resolve(value: T | undefined): void;
  reject(error: unknown): void;
}

/** Reads of one kind of resource by id, batched into list calls while many are polled at once. */
export class BatchedPoll<T> {
  private watching = 0;
  private queue = new Map<string, Array<Waiter<T>>>();
  private draining = false;
  private lastListAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly get: (id: string) => Promise<T | undefined>,
    private readonly list: () => Promise<T[]>,
    private readonly idOf: (item: T) => string,
    private readonly clock: Clock,
    private readonly signal?: AbortSignal,
  ) {}

  /** Runs a wait on one resource; while it runs, it counts towards batching. */
  async watch<R>(wait: () => Promise<R>): Promise<R> {
    this.watching += 1;
    try {
      return await wait();
    } finally {
      this.watching -= 1;
    }
  }

  /** The resource as the cloud holds it now; undefined once it is gone. */
  read(id: string): Promise<T | undefined> {
    if (this.watching <= FEW_POLLS) return this.get(id);
    return new Promise<T | undefined>((resolve, reject) => {
      const waiters = this.queue.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.queue.set(id, waiters);
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.size > 0) {
        const pause = this.lastListAt + LIST_GAP_MS - this.clock.now();
        if (pause > 0) await this.clock.sleep(pause, this.signal);
        // One turn of the event loop: the reads of polls whose timers fire together join this list.
        else await new Promise((resolve) => setImmediate(resolve));
        const batch = this.queue;
        this.queue = new Map();
        this.lastListAt = this.clock.now();
        await this.answer(batch);
      }
    } catch (caught) {
      // Cancelled while pausing: every read waiting ends with it.
      const error = this.signal?.aborted ? new CancelledError() : caught;
      for (const waiters of this.queue.values()) for (const waiter of waiters) waiter.reject(error);
      this.queue = new Map();
    } finally {
      this.draining = false;
    }
  }

  private async answer(batch: Map<string, Array<Waiter<T>>>): Promise<void> {
    let listed = new Map<string, T>();
    try {
      listed = new Map((await this.list()).map((item) => [this.idOf(item), item]));
    } catch {
      // A failed list (say, still throttled after the retries) fails no wait by itself: each read
      // then asks alone, as it would have without batching, and only its own failure counts.
    }
    for (const [id, waiters] of batch) {
      const found = listed.get(id);
      if (found) {
        for (const waiter of waiters) waiter.resolve(found);
        continue;
      }
      // Not listed: asked for alone (a list may lag a create; a NotFound is the word for gone).
      this.get(id).then(
        (value) => waiters.forEach((waiter) => waiter.resolve(value)),
        (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
      );
    }
  }
}

/** The endpoint and endpoint-service polls of one run, for one mesh. */
export interface RunPolls {
  endpoints: BatchedPoll<Endpoint>;
  services: BatchedPoll<EndpointService>;
}

export function runPolls(cloud: ProvisioningCloud, meshId: string, clock: Clock, signal?: AbortSignal): RunPolls {
  const tags = meshFilter(meshId);
  return {
    endpoints: new BatchedPoll<Endpoint>(
      (id) => cloud.getEndpoint(id),
      () => cloud.listEndpoints(tags),
      (endpoint) => endpoint.endpointId,
      clock,
      signal,
    ),
    services: new BatchedPoll<EndpointService>(
      (id) => cloud.getService(id),
      () => cloud.listServices(tags),
      (service) => service.serviceId,
      clock,
      signal,
    ),
  };
}
