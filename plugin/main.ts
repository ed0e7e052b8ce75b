import { Cli } from 'clipanion';
import { runCli } from './cli';

// The Alibaba Cloud SDKs call url.parse(), and Node prints a deprecation warning (DEP0169) for it
// on every cloud command; the user can do nothing about it, so that one warning is not shown.
process.removeAllListeners('warning');
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code !== 'DEP0169') process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

// Colours only for a person at a terminal: piped output and NO_COLOR stay plain.
const colorDepth = process.stderr.isTTY && !process.env.NO_COLOR ? Cli.defaultContext.colorDepth : 1;

runCli(process.argv.slice(2), { ...Cli.defaultContext, colorDepth }, process.argv[1]).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
