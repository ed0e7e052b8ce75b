import {
  createProgress,
  formatElapsed,
  LineProgress,
  type ProgressClock,
  SilentProgress,
  SpinnerProgress,
} from './progress';

/** A terminal that records what was written. */
class FakeTerminal {
  text = '';
  constructor(
    readonly isTTY = true,
    readonly columns = 80,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  /** What a person sees: each `\r\x1b[2K` erases the line it is on. */
  get screen(): string[] {
    const lines = this.text.split('\n');
    return lines
      .map((line) => line.split('\r\x1b[2K').pop()!)
      .filter((line, index) => line !== '' || index < lines.length - 1);
  }
}

/** A clock that moves only when the test says so, firing the interval callbacks on the way. */
class FakeClock implements ProgressClock {
  time = 0;
  private timers: Array<{ every: number; next: number; tick: () => void; active: boolean }> = [];

  now(): number {
    return this.time;
  }

  every(ms: number, tick: () => void): () => void {
    const timer = { every: ms, next: this.time + ms, tick, active: true };
    this.timers.push(timer);
    return () => {
      timer.active = false;
    };
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.active && timer.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = due.next;
      due.next += due.every;
      due.tick();
    }
    this.time = end;
  }

  get running(): number {
    return this.timers.filter((timer) => timer.active).length;
  }
}

describe('SpinnerProgress', () => {
  test('spins on one line while a step runs, then replaces it with ✓, the detail and the time', () => {
    const terminal = new FakeTerminal();
    const clock = new FakeClock();
    const progress = new SpinnerProgress(terminal, { color: false, clock });
    progress.start('create endpoint service for c1');
    expect(terminal.screen).toEqual(['⠋ create endpoint service for c1 0.0s']);
    clock.advance(80);
    expect(terminal.screen).toEqual(['⠙ create endpoint service for c1 0.1s']);
    clock.advance(1_520);
    expect(terminal.screen).toEqual(['⠋ create endpoint service for c1 1.6s']);
    progress.succeed('epsrv-abc');
    expect(terminal.screen).toEqual(['✓ create endpoint service for c1: epsrv-abc (1.6s)']);
    expect(clock.running).toBe(0);
  });

  test('a failure ends the line with ✗ and the reason; the next step starts on a new line', () => {
    const terminal = new FakeTerminal();
    const clock = new FakeClock();
    const progress = new SpinnerProgress(terminal, { color: false, clock });
    progress.start('wait for endpoint ep-1');
    clock.advance(65_000);
    progress.fail('still Pending after 1m05s');
    progress.start('write status');
    progress.succeed();
    expect(terminal.screen).toEqual([
      '✗ wait for endpoint ep-1: still Pending after 1m05s (1m05s)',
      '✓ write status (0.0s)',
    ]);
  });

  test('info lines go above the spinner, which is drawn again below them', () => {
    const terminal = new FakeTerminal();
    const clock = new FakeClock();
    const progress = new SpinnerProgress(terminal, { color: false, clock });
    progress.start('sync SANs');
    progress.info('c1: appending ep-1.epsrv-1.cn-hangzhou.privatelink.aliyuncs.com');
    expect(terminal.screen).toEqual([
      '  c1: appending ep-1.epsrv-1.cn-hangzhou.privatelink.aliyuncs.com',
      '⠋ sync SANs 0.0s',
    ]);
  });

  test('starting a step before the last one ended closes it as neither ✓ nor ✗', () => {
    const terminal = new FakeTerminal();
    const clock = new FakeClock();
    const progress = new SpinnerProgress(terminal, { color: false, clock });
    progress.start('one');
    clock.advance(500);
    progress.start('two');
    expect(terminal.screen).toEqual(['- one (0.5s)', '⠋ two 0.0s']);
    expect(clock.running).toBe(1);
  });

  test('close stops the spinner and leaves the cursor on a fresh line, once', () => {
    const terminal = new FakeTerminal();
    const clock = new FakeClock();
    const progress = new SpinnerProgress(terminal, { color: false, clock });
    progress.start('wait');
    clock.advance(200);
    progress.close();
    progress.close();
    expect(terminal.text.endsWith('\n')).toBe(true);
    expect(terminal.screen).toEqual(['- wait (stopped) (0.2s)']);
    expect(clock.running).toBe(0);
    clock.advance(1_000);
    expect(terminal.screen).toEqual(['- wait (stopped) (0.2s)']);
  });

  test('a step longer than the terminal is cut so the line never wraps', () => {
    const terminal = new FakeTerminal(true, 30);
    const progress = new SpinnerProgress(terminal, { color: false, clock: new FakeClock() });
    progress.start('create the endpoint in the ASM VPC for cluster c0123456789abcdef');
    const line = terminal.screen[0]!;
    expect(line).toBe('⠋ create the endpoint i… 0.0s');
    expect(line.length).toBeLessThan(30);
  });

  test('with colour: green ✓, red ✗, cyan spinner, dim times', () => {
    const terminal = new FakeTerminal();
    const progress = new SpinnerProgress(terminal, { color: true, clock: new FakeClock() });
    progress.start('a');
    expect(terminal.text).toBe('\r\x1b[2K\x1b[36m⠋\x1b[39m a\x1b[2m 0.0s\x1b[22m');
    progress.succeed();
    progress.start('b');
    progress.fail('no');
    expect(terminal.text).toContain('\x1b[32m✓\x1b[39m a');
    expect(terminal.text).toContain('\x1b[31m✗\x1b[39m b: no');
  });
});

describe('createProgress', () => {
  test('quiet (-o json / -o yaml) shows nothing, even on a terminal', () => {
    expect(createProgress(new FakeTerminal(true), { quiet: true, env: {} })).toBeInstanceOf(SilentProgress);
  });

  test('a pipe or a file gets timestamped lines', () => {
    expect(createProgress(new FakeTerminal(false), { env: {} })).toBeInstanceOf(LineProgress);
  });

  test('a dumb terminal cannot move its cursor: lines', () => {
    expect(createProgress(new FakeTerminal(true), { env: { TERM: 'dumb' } })).toBeInstanceOf(LineProgress);
  });

  test('a terminal gets a spinner, coloured unless NO_COLOR is set', () => {
    const coloured = new FakeTerminal();
    const progress = createProgress(coloured, { env: { TERM: 'xterm-256color' }, clock: new FakeClock() });
    expect(progress).toBeInstanceOf(SpinnerProgress);
    progress.start('x');
    expect(coloured.text).toContain('\x1b[36m');

    const plain = new FakeTerminal();
    const noColor = createProgress(plain, { env: { NO_COLOR: '1' }, clock: new FakeClock() });
    noColor.start('x');
    noColor.succeed('done');
    // No colour codes (ESC [ digits m).
    expect(plain.text).not.toMatch(new RegExp(String.raw`\u001b\[\d+m`));
    expect(plain.screen).toEqual(['✓ x: done (0.0s)']);
  });
});

describe('LineProgress', () => {
  test('one timestamped line per event', () => {
    const out = new FakeTerminal(false);
    const progress = new LineProgress(out, () => new Date('2026-11-25T12:00:00.000Z'));
    progress.start('create endpoint');
    progress.info('request id 5C0');
    progress.succeed('ep-1');
    progress.fail('gone');
    progress.close();
    expect(out.text).toBe(
      [
        '2026-11-25T12:00:00.000Z ... create endpoint',
        '2026-11-25T12:00:00.000Z     request id 5C0',
        '2026-11-25T12:00:00.000Z ok  create endpoint: ep-1',
        '2026-11-25T12:00:00.000Z ERR create endpoint: gone',
        '',
      ].join('\n'),
    );
  });
});

test('formatElapsed', () => {
  expect([0, 450, 12_340, 59_999, 60_000, 125_000, 3_600_000].map(formatElapsed)).toEqual([
    '0.0s',
    '0.5s',
    '12.3s',
    '1m00s',
    '1m00s',
    '2m05s',
    '60m00s',
  ]);
});
