// Per-action request-rate limits like the cloud's API flow control: more calls to an action in
// one second than its limit are refused with the throttling error. Off unless configured.

/** Calls per second allowed per action; `"*"` is the limit for actions not named. */
export type RateLimits = Record<string, number>;

export class RateLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(private limits: RateLimits = {}) {}

  set(limits: RateLimits): void {
    this.limits = { ...limits };
    this.calls.clear();
  }

  current(): RateLimits {
    return { ...this.limits };
  }

  /** Counts the call; false when the action already had its quota in the last second. */
  admit(action: string, now: number): boolean {
    const limit = this.limits[action] ?? this.limits['*'];
    if (limit === undefined) return true;
    const recent = (this.calls.get(action) ?? []).filter((time) => time > now - 1000);
    if (recent.length >= limit) {
      this.calls.set(action, recent);
      return false;
    }
    recent.push(now);
    this.calls.set(action, recent);
    return true;
  }
}
