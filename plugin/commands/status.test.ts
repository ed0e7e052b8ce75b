// What can be proven without a cluster: the command line. Reading the object is proven end to end
// (test/e2e/status.e2e.test.ts), since the Kubernetes client only loads as ESM outside jest.
import { commands } from '../cli';
import { runPlugin } from '../testing/run-cli';

const run = runPlugin;

describe('kubectl asmpvl status: the command line', () => {
  test.each([
    [
      ['status', '-o', 'xml'],
      'error: invalid argument for "-o" flag: expected one of table, wide, json, yaml, name, jsonpath=TEMPLATE; got "xml"',
    ],
    [['status', '--timeout', 'soon'], 'expected a duration like 30s, 5m or 1h (got "soon")'],
    [
      ['status', 'c84974f524e2045c87dccadff91a71708'],
      "error: unexpected argument: c84974f524e2045c87dccadff91a71708\nSee 'kubectl asmpvl status --help' for usage.\n",
    ],
  ])('%j is a usage error: exit 2', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  test('the usage text documents the exit codes and every output format', async () => {
    const help = await run(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      'Exit code: the table (and `--wait`) exits 0 when every cluster in the spec is Available',
    );
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      '`-o json|yaml|name|jsonpath` exit 0 whenever the object was read',
    );
    expect(help.stdout).toContain(
      'table, wide, json, yaml (the whole object, as kubectl get prints it), name or jsonpath=TEMPLATE',
    );
  });
});

test('kubectl asmpvl --help lists every command with its description', async () => {
  const help = await run(['--help']);
  expect(help.code).toBe(0);
  for (const command of commands) {
    const word = command.paths[0]!.join(' ');
    if (word === 'options') continue;
    expect(help.stdout).toContain(`\n  ${word.padEnd(13)}${command.usage.description!}\n`);
  }
  expect(commands.map((command) => command.paths[0]![0])).toEqual(
    expect.arrayContaining(['status', 'doctor', 'validate', 'version']),
  );
});
