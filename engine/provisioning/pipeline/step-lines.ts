/**
 * Progress lines for work that runs side by side: a plan's steps, the mesh adds and the SAN syncs
 * all write to one display.
 */
import type { Progress } from '../../progress';
import type { StepReporter } from '../executor';
import type { Action } from '../model';

/**
 * Progress for steps that run side by side. The Progress display names the step last started when
 * one ends, so a step ending after another started is named again first. Which step was last
 * started is the display's, shared by every StepLines on it (the plan's steps, mesh adds and SAN
 * syncs run at once).
 */
export class StepLines {
  private static readonly current = new WeakMap<Progress, string>();

  constructor(readonly progress: Progress) {}

  begin(id: string, text: string): void {
    StepLines.current.set(this.progress, id);
    this.progress.start(text);
  }

  end(id: string, text: string, outcome: { failed?: string; detail?: string }): void {
    if (StepLines.current.get(this.progress) !== id) this.progress.start(text);
    StepLines.current.delete(this.progress);
    if (outcome.failed !== undefined) this.progress.fail(outcome.failed);
    else this.progress.succeed(outcome.detail);
  }

  note(message: string): void {
    this.progress.info(message);
  }
}

/** Progress lines for the steps of a plan. */
export function progressReporter(lines: StepLines): StepReporter {
  return {
    started: (action: Action) => lines.begin(action.id, action.description),
    finished(outcome) {
      const { action } = outcome;
      if (outcome.state === 'cancelled' && outcome.durationMs === 0) {
        lines.note(`not started (cancelled): ${action.description}`);
        return;
      }
      if (outcome.state === 'blocked' || outcome.state === 'deferred' || outcome.state === 'cancelled') {
        lines.note(`${outcome.state}: ${action.description}${outcome.detail ? ` ${outcome.detail}` : ''}`);
        return;
      }
      if (outcome.state === 'failed')
        lines.end(action.id, action.description, { failed: outcome.error?.message ?? 'failed' });
      else
        lines.end(action.id, action.description, {
          detail: outcome.state === 'started' ? `${outcome.detail ?? 'started'} (not waited for)` : outcome.detail,
        });
    },
  };
}
