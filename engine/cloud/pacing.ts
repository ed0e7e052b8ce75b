/**
 * Calls to each cloud action at that action's rate limit, not under it and not over it.
 *
 * The cloud counts the calls to one action in a sliding one-second window and refuses the excess
 * with a throttling answer (`Throttling.User`); the limits are not published. So each action has a
 * learned limit, calls per window: a call is sent only while fewer than that many went out in the
 * last window, and a throttling answer sets the limit to what the cloud evidently admitted (the
 * calls of ours it counted in the window before the refused one). While an action has calls
 * waiting and no refusal for a while, the limit is tried one higher (up to the ceiling), so a
 * limit learned on a busy moment (another client sharing the quota) does not stay low for good.
 *
 * Every attempt takes a turn, retries included (the CallRunner asks before each one), and a
 * refused call goes back to the head of its action's line: it was not performed, so it is sent
 * again at the learned rate instead of sleeping a random backoff. A turn also bounds the calls in
 * flight overall; it is held only while the request is on the wire.
 */

import { type Clock, systemClock } from '../clock';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The priority of the calls made inside `work` (higher goes first among calls waiting for a turn of
 * the same action; default 0). A caller that knows which of its calls sit on a longer chain runs
 * them with a higher one: provisioning creates API-server endpoints first, whose chain goes on to a
 * SAN update, so the last creates at the rate limit are Pilot endpoints, whose chain is shorter.
 */
export function withCallPriority<T>(priority: number, work: () => T): T {
  return callPriority.run(priority, work);
}

const callPriority = new AsyncLocalStorage<number>();

/** The priority of the calls made here (see withCallPriority). */
export function currentCallPriority(): number {
  return callPriority.getStore() ?? 0;
}

/** How an attempt ended, as the pacer needs to know it. */
export type AttemptOutcome = 'ok' | 'throttled' | 'failed';

/** The right to send one attempt now; `finish` must be called once the answer (or failure) is in. */
export interface PaceTurn {
  finish(outcome: AttemptOutcome): void;
}

/** What the CallRunner asks before each attempt (see retry.ts). */
export interface CallPacing {
  /**
   * Resolves when `action` may be called. `retry`: the call was refused by throttling and goes
   * before the calls that have not been sent yet; among those, a higher `priority` goes first, and
   * calls of one priority go in the order asked. Rejects with the signal's reason on abort.
   */
  turn(action: string, options?: { retry?: boolean; signal?: AbortSignal; priority?: number }): Promise<PaceTurn>;
}

export interface PacerOptions {
  /** Calls per window an action starts at, and the most it is ever tried at (ASMPVL_CLOUD_RATE). */
  ceiling: number;
  /** Attempts on the wire at once, all actions together. */
  maxInFlight: number;
  /**
   * The cloud's window, plus a small margin. A call counts from its answer, not from its turn: the
   * cloud counted it on arrival, somewhere in between, and signing and sending a request on a busy
   * machine took up to 100 ms after the turn, so counting from the turn sent the next call into a
   * window the cloud still held full.
   */
  windowMs?: number;
  /** With calls waiting and no refusal for this long, an action's limit is tried one higher. */
  probeMs?: number;
  clock?: Clock;
}

interface Waiter {
  retry: boolean;
  priority: number;
  grant(turn: PaceTurn): void;
  fail(error: unknown): void;
  detach(): void;
}

/** One attempt sent: when, in what order, under which limit, and when its answer came. */
interface Send {
  at: number;
  seq: number;
  limit: number;
  answeredAt?: number;
}

interface ActionState {
  limit: number;
  /** The attempts not refused, on the wire or answered within the last window, in order sent. */
  sent: Send[];
  waiting: Waiter[];
  /** When the limit last changed, either way (a probe waits probeMs after it). */
  changedAt: number;
}

export class Pacer implements CallPacing {
  private readonly actions = new Map<string, ActionState>();
  private readonly windowMs: number;
  private readonly probeMs: number;
  private readonly clock: Clock;
  private inFlight = 0;
  private sequence = 0;
  /** The pending wake-up for a window to free a place, and when it fires. */
  private timer?: { at: number; controller: AbortController };
  /** Refusals seen, for the verbose log and tests. */
  throttledAnswers = 0;

  constructor(private readonly options: PacerOptions) {
    if (!(options.ceiling >= 1) || !(options.maxInFlight >= 1))
      throw new RangeError('Pacer: ceiling and maxInFlight must be at least 1');
    this.windowMs = options.windowMs ?? 1_010;
    this.probeMs = options.probeMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
  }

  /** An action's current limit, calls per window. */
  limitOf(action: string): number {
    return this.actions.get(action)?.limit ?? Math.floor(this.options.ceiling);
  }

  turn(action: string, options: { retry?: boolean; signal?: AbortSignal; priority?: number } = {}): Promise<PaceTurn> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const state = this.stateOf(action);
    return new Promise<PaceTurn>((resolve, reject) => {
      const onAbort = () => {
        const index = state.waiting.indexOf(waiter);
        if (index >= 0) state.waiting.splice(index, 1);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        retry: options.retry === true,
        priority: options.priority ?? 0,
        grant: resolve,
        fail: reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Refused calls first, in the order refused; then by priority, in the order asked.
      const after = waiter.retry
        ? state.waiting.findIndex((other) => !other.retry)
        : state.waiting.findIndex((other) => !other.retry && other.priority < waiter.priority);
      if (after >= 0) state.waiting.splice(after, 0, waiter);
      else state.waiting.push(waiter);
      this.drain();
    });
  }

  private stateOf(action: string): ActionState {
    let state = this.actions.get(action);
    if (!state) {
      state = { limit: Math.floor(this.options.ceiling), sent: [], waiting: [], changedAt: this.clock.now() };
      this.actions.set(action, state);
    }
    return state;
  }

  /** Grants every turn that may go now, and sets a wake-up for the earliest one that must wait. */
  private drain(): void {
    const now = this.clock.now();
    let wake = Number.POSITIVE_INFINITY;
    for (const state of this.actions.values()) {
      if (state.waiting.length === 0) continue;
      this.forget(state, now);
      while (state.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
        if (state.sent.length >= state.limit) {
          // When enough answered calls have left the window to free a place; a call still on the
          // wire leaves it only after its answer, which drains again.
          const leaving = state.sent
            .map((send) => (send.answeredAt ?? Number.POSITIVE_INFINITY) + this.windowMs)
            .sort((a, b) => a - b);
          wake = Math.min(wake, leaving[state.sent.length - state.limit]!);
          break;
        }
        const waiter = state.waiting.shift()!;
        waiter.detach();
        waiter.grant(this.grant(state, now));
      }
    }
    if (wake !== Number.POSITIVE_INFINITY) this.wakeAt(wake);
  }

  private grant(state: ActionState, at: number): PaceTurn {
    const send: Send = { at, seq: (this.sequence += 1), limit: state.limit };
    state.sent.push(send);
    this.inFlight += 1;
    let finished = false;
    return {
      finish: (outcome) => {
        if (finished) return;
        finished = true;
        this.inFlight -= 1;
        send.answeredAt = this.clock.now();
        if (outcome === 'throttled') this.refused(state, send);
        else if (outcome === 'ok') this.admitted(state);
        this.drain();
      },
    };
  }

  /**
   * The cloud refused `send`. It does not count a refused call, and it evidently admits no more
   * than the calls of ours it counted in the window before this one. A call sent under a higher
   * limit than the current one was part of a burst already accounted for; one sent at the current
   * limit and still refused (another client sharing the quota, arrival jitter) lowers it by one.
   */
  private refused(state: ActionState, send: Send): void {
    this.throttledAnswers += 1;
    const index = state.sent.indexOf(send);
    if (index >= 0) state.sent.splice(index, 1);
    const before = state.sent.filter(
      (other) => other.seq < send.seq && (other.answeredAt ?? Number.POSITIVE_INFINITY) > send.at - this.windowMs,
    ).length;
    const ceiling = send.limit > state.limit ? state.limit : state.limit - 1;
    const limit = Math.max(1, Math.min(ceiling, before));
    if (limit !== state.limit) state.changedAt = this.clock.now();
    state.limit = limit;
  }

  /** A call went through: with calls waiting and no refusal for probeMs, try one more per window. */
  private admitted(state: ActionState): void {
    const now = this.clock.now();
    if (state.waiting.length === 0 || state.limit >= this.options.ceiling) return;
    if (now - state.changedAt < this.probeMs) return;
    state.limit += 1;
    state.changedAt = now;
  }

  private forget(state: ActionState, now: number): void {
    const horizon = now - this.windowMs;
    state.sent = state.sent.filter((send) => send.answeredAt === undefined || send.answeredAt > horizon);
  }

  private wakeAt(at: number): void {
    if (this.timer && this.timer.at <= at) return;
    this.timer?.controller.abort();
    const controller = new AbortController();
    this.timer = { at, controller };
    this.clock.sleep(Math.max(0, at - this.clock.now()), controller.signal).then(
      () => {
        if (this.timer?.controller === controller) this.timer = undefined;
        this.drain();
      },
      () => undefined,
    );
  }
}

/**
 * The pacer of one process, shared by all its clouds (the plugin's run, the controller's life):
 * the ceiling from ASMPVL_CLOUD_RATE, 8 attempts on the wire at once.
 */
export function processPacer(env: Record<string, string | undefined>): Pacer {
  return new Pacer({ ceiling: pacingCeiling(env), maxInFlight: 8 });
}

/** The pacing ceiling from ASMPVL_CLOUD_RATE (calls per second to one action), 20 when unset or invalid. */
export function pacingCeiling(env: Record<string, string | undefined>): number {
  const rate = Number(env.ASMPVL_CLOUD_RATE);
  return Number.isFinite(rate) && rate >= 1 ? Math.floor(rate) : 20;
}
