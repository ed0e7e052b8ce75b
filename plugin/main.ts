import { Cli } from 'clipanion';
import { runCli } from './cli';
import { parseDuration } from './commands/base';
import { ExitCode } from './exit-codes';

/** What the launcher (scripts/build.mjs) lends the plugin: it keys its code cache by the command word we recognise. */
interface Launcher {
  command?: string;
  sections: string[];
}

const launcher = (globalThis as Record<symbol, Launcher | undefined>)[Symbol.for('asmpvl.launcher')];

// The Alibaba Cloud SDKs call url.parse(), and Node prints a deprecation warning (DEP0169) for it
// on every cloud command; the user can do nothing about it, so that one warning is not shown.
process.removeAllListeners('warning');
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code !== 'DEP0169') process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

// The reader went away (`| head -1`, `| grep -q`): stop quietly, as kubectl does, with the command's
// own exit code when it has one, else 141 as for a process ended by SIGPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 141);
  });
}

/**
 * A command's --timeout bounds the whole command: whatever is still waiting when it has passed
 * (plus one request's time, to write down what was done) does not keep the process alive.
 */
function boundByTimeout(command: object): void {
  const { timeout, requestTimeout } = command as { timeout?: unknown; requestTimeout?: unknown };
  if (typeof timeout !== 'string') return;
  const limitMs = parseDuration(timeout);
  if (!limitMs) return;
  const graceMs = Math.min(typeof requestTimeout === 'string' ? (parseDuration(requestTimeout) ?? 0) : 0, 30_000);
  setTimeout(() => {
    process.stderr.write(`error: --timeout ${timeout} passed; stopping\n`);
    process.exit(ExitCode.Failed);
  }, limitMs + graceMs).unref();
}

// Colours only for a person at a terminal (decided per stream in runCli); NO_COLOR keeps all plain.
const colorDepth = process.env.NO_COLOR ? 1 : Cli.defaultContext.colorDepth;

runCli(
  process.argv.slice(2),
  { ...Cli.defaultContext, colorDepth },
  {
    argv0: process.argv[1],
    onCommand: (word, command) => {
      if (launcher) launcher.command = word;
      boundByTimeout(command);
    },
  },
).then(
  (code) => {
    process.exitCode = code;
    if (process.env.ASMPVL_DEBUG_SECTIONS && launcher)
      process.stderr.write(`asmpvl sections: ${launcher.sections.join(' ')}\n`);
    // Done: exit once the output is flushed, not when the last socket closes (an aborted connect to
    // a silent server lingers for undici's 10 s connect timeout).
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
