/**
 * How a long command shows its steps. Commands report through this interface; the terminal decides
 * the look: a spinner on a TTY, plain timestamped lines otherwise (CI logs, pipes), nothing at all
 * when the output is data (`-o json`/`-o yaml`). `createProgress` makes that choice.
 */
import type { Progress } from '../engine/progress';
import { SilentProgress } from '../engine/progress';
import { terminalSafeLine } from './render/sanitize';

export { type Progress, SilentProgress };
/** A stream as far as progress needs it: where to write, and whether a person is watching it. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's width, when it is one. */
  columns?: number;
}

/** Plain lines with an ISO timestamp, one per event: what a log or a pipe should get. */
export class LineProgress implements Progress {
  private current = '';

  constructor(
    private readonly out: ProgressStream,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // Steps and details carry cloud and cluster text (ids, states, error messages): shown, never obeyed.
  private line(text: string): void {
    this.out.write(`${this.now().toISOString()} ${terminalSafeLine(text)}\n`);
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

  close(): void {}
}

/** Time as the spinner sees it; tests pass a fake one and advance it by hand. */
export interface ProgressClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const systemProgressClock: ProgressClock = {
  now: () => Date.now(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    // A spinner must never keep the process alive after the command is done.
    timer.unref();
    return () => clearInterval(timer);
  },
};

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;
// Carriage return, then erase the whole line: the next text replaces the spinner's line.
const CLEAR_LINE = '\r\x1b[2K';

type Paint = (text: string) => string;
const plain: Paint = (text) => text;
const sgr =
  (on: number, off: number): Paint =>
  (text) =>
    `\x1b[${on}m${text}\x1b[${off}m`;

/** `0.4s`, `12.3s`, `2m05s`: how long a step took, short enough for the end of a line. */
export function formatElapsed(ms: number): string {
  // Below a minute tenths matter; 59.96 s would round to "60.0s", so it goes to the minutes form.
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export interface SpinnerOptions {
  /** Colours on (off under NO_COLOR). Cursor movement is not colour and stays either way. */
  color: boolean;
  clock?: ProgressClock;
}

/**
 * One line per step on a terminal: a spinner and the elapsed time while the step runs, replaced by
 * ✓ or ✗ and the detail when it ends. Written by hand (an interval and `\r`), since the library
 * spinners bring more than these forty lines do.
 */
export class SpinnerProgress implements Progress {
  private readonly clock: ProgressClock;
  private readonly green: Paint;
  private readonly red: Paint;
  private readonly cyan: Paint;
  private readonly dim: Paint;
  private current?: { step: string; startedAt: number };
  private frame = 0;
  private stopTicking?: () => void;

  constructor(
    private readonly out: ProgressStream,
    options: SpinnerOptions,
  ) {
    this.clock = options.clock ?? systemProgressClock;
    this.green = options.color ? sgr(32, 39) : plain;
    this.red = options.color ? sgr(31, 39) : plain;
    this.cyan = options.color ? sgr(36, 39) : plain;
    this.dim = options.color ? sgr(2, 22) : plain;
  }

  start(step: string): void {
    // A step that was never ended is closed as neither success nor failure.
    if (this.current) this.finish('-', '');
    this.current = { step: terminalSafeLine(step), startedAt: this.clock.now() };
    this.frame = 0;
    this.draw();
    this.stopTicking = this.clock.every(FRAME_MS, () => {
      this.frame = (this.frame + 1) % FRAMES.length;
      this.draw();
    });
  }

  succeed(detail?: string): void {
    this.finish(this.green('✓'), detail ? `: ${terminalSafeLine(detail)}` : '');
  }

  fail(detail: string): void {
    this.finish(this.red('✗'), `: ${terminalSafeLine(detail)}`);
  }

  info(message: string): void {
    this.out.write(`${CLEAR_LINE}  ${terminalSafeLine(message)}\n`);
    if (this.current) this.draw();
  }

  close(): void {
    if (this.current) this.finish('-', ` ${this.dim('(stopped)')}`);
  }

  private elapsed(): string {
    return this.current ? formatElapsed(this.clock.now() - this.current.startedAt) : '';
  }

  private draw(): void {
    if (!this.current) return;
    const elapsed = ` ${this.elapsed()}`;
    // A line longer than the terminal wraps, and `\r` would then redraw only its last part.
    const room = (this.out.columns ?? 80) - 3 - elapsed.length;
    const step =
      this.current.step.length > room ? `${this.current.step.slice(0, Math.max(0, room - 1))}…` : this.current.step;
    this.out.write(`${CLEAR_LINE}${this.cyan(FRAMES[this.frame]!)} ${step}${this.dim(elapsed)}`);
  }

  private finish(mark: string, detail: string): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
    const step = this.current?.step ?? '';
    const elapsed = this.current ? ` ${this.dim(`(${this.elapsed()})`)}` : '';
    this.current = undefined;
    this.out.write(`${CLEAR_LINE}${mark} ${step}${detail}${elapsed}\n`);
  }
}

export interface CreateProgressOptions {
  /** Nothing is shown: the command prints data (`-o json`, `-o yaml`). */
  quiet?: boolean;
  env?: NodeJS.ProcessEnv;
  clock?: ProgressClock;
}

/**
 * The progress display `stream` deserves: nothing when quiet, a spinner on a terminal that can move
 * its cursor, timestamped lines anywhere else. Colours follow NO_COLOR (https://no-color.org).
 */
export function createProgress(stream: ProgressStream, options: CreateProgressOptions = {}): Progress {
  if (options.quiet) return new SilentProgress();
  const env = options.env ?? process.env;
  if (!stream.isTTY || env.TERM === 'dumb') return new LineProgress(stream);
  return new SpinnerProgress(stream, { color: !env.NO_COLOR, clock: options.clock });
}
