/**
 * Where the engine reports its steps. The engine never writes to a terminal: the plugin passes a
 * spinner or plain lines (plugin/progress.ts), the controller a sink that logs.
 */
export interface Progress {
  /** A step starts, e.g. "create endpoint service for c0123…". */
  start(step: string): void;
  /** The current step finished; `detail` says with what (an id, a state). */
  succeed(detail?: string): void;
  /** The current step failed; `detail` says why. */
  fail(detail: string): void;
  /** A line of information that is not a step. */
  info(message: string): void;
  /**
   * Ends the display: a spinner stops and leaves the cursor on a fresh line. Call it in a `finally`
   * so an error message never lands on a spinner's line. Safe to call more than once.
   */
  close?(): void;
}

/** Reports nothing: for `-o json`/`-o yaml` and tests. */
export class SilentProgress implements Progress {
  start(): void {}
  succeed(): void {}
  fail(): void {}
  info(): void {}
  close(): void {}
}
