/**
 * How a long command shows its steps. Commands report through this interface; the terminal decides
 * the look: a spinner on a TTY, plain timestamped lines otherwise (CI logs, pipes).
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
}

/** Plain lines with an ISO timestamp, one per event: what a log or a pipe should get. */
export class LineProgress implements Progress {
  private current = '';

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private line(text: string): void {
    this.out.write(`${this.now().toISOString()} ${text}\n`);
  }

  start(step: string): void {
    this.current = step;
    this.line(`... ${step}`);
  }

  succeed(detail?: string): void {
    this.line(`ok  ${this.current}${detail ? `: ${detail}` : ''}`);
  }

  fail(detail: string): void {
    this.line(`ERR ${this.current}: ${detail}`);
  }

  info(message: string): void {
    this.line(`    ${message}`);
  }
}

/** Reports nothing: for `-o json` and tests. */
export class SilentProgress implements Progress {
  start(): void {}
  succeed(): void {}
  fail(): void {}
  info(): void {}
}
