// npm run test:unit [-- <path>...]: the unit tests, or only the files whose paths match. Jest's
// --selectProjects takes every word after it, so the paths have to come first.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const { status, signal } = spawnSync(process.execPath, [jest, ...process.argv.slice(2), '--selectProjects', 'unit'], {
  stdio: 'inherit',
});
process.exitCode = status ?? (signal ? 1 : 0);
