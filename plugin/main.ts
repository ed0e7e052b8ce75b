import { Cli } from 'clipanion';
import { runCli } from './cli';

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
