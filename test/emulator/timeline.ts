// Asynchronous transitions (Creating → Active, Deleting → gone, a cluster task finishing) are
// scheduled here and applied lazily: every request first settles everything that is due by the
// clock. Nothing runs on timers, so a test can drive time by hand and a state read is always
// consistent with the clock.

interface ScheduledTransition {
  at: number;
  seq: number;
  label: string;
  apply: () => void;
}

/** A transition still to come, as reported in the emulator's state. */
export interface PendingTransition {
  at: string;
  label: string;
}

export class Timeline {
  private transitions: ScheduledTransition[] = [];
  private seq = 0;

  /** Schedules `apply` to run once the clock reaches `at`; ties run in scheduling order. */
  schedule(at: number, label: string, apply: () => void): void {
    const transition = { at, seq: this.seq++, label, apply };
    // Kept sorted by time, so settling pops from the front in the exact order of the clock.
    let low = 0;
    let high = this.transitions.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.transitions[mid]!.at <= at) low = mid + 1;
      else high = mid;
    }
    this.transitions.splice(low, 0, transition);
  }

  /** Applies every transition due by `now`, including ones that due transitions schedule. */
  settle(now: number): void {
    while (this.transitions.length > 0 && this.transitions[0]!.at <= now) {
      this.transitions.shift()!.apply();
    }
  }

  /** When the earliest pending transition is due, or undefined when none is. */
  nextDue(): number | undefined {
    return this.transitions[0]?.at;
  }

  pending(): PendingTransition[] {
    return this.transitions.map((transition) => ({
      at: new Date(transition.at).toISOString(),
      label: transition.label,
    }));
  }
}
