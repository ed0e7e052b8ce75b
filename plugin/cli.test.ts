import { commandWords, nameOptionValues, normaliseArgs } from './cli';
import { runPlugin } from './testing/run-cli';

describe('normaliseArgs: the forms kubectl accepts', () => {
  it.each([
    [
      ['status', '-ojson'],
      ['status', '-o', 'json'],
    ],
    [
      ['status', '-o=json'],
      ['status', '-o', 'json'],
    ],
    [
      ['status', '--output=json'],
      ['status', '--output=json'],
    ],
    [
      ['status', '-ojsonpath={.status.status}'],
      ['status', '-o', 'jsonpath={.status.status}'],
    ],
    [
      ['status', '-v=3'],
      ['status', '-v', '-v', '-v'],
    ],
    [
      ['status', '--v=2'],
      ['status', '-v', '-v'],
    ],
    [
      ['status', '-v2'],
      ['status', '-v', '-v'],
    ],
    [
      ['status', '-v', '2'],
      ['status', '-v', '-v'],
    ],
    [
      ['status', '-v'],
      ['status', '-v'],
    ],
    [
      ['status', '-v=99'],
      ['status', ...Array<string>(10).fill('-v')],
    ],
    [
      ['-n', 'ops', '--context=prod', 'status', '-o', 'wide'],
      ['status', '-n', 'ops', '--context=prod', '-o', 'wide'],
    ],
    [
      ['--insecure-skip-tls-verify', 'status'],
      ['status', '--insecure-skip-tls-verify'],
    ],
    [
      ['-v=2', 'doctor'],
      ['doctor', '-v', '-v'],
    ],
    [
      ['connect', 'c1', '--', '-ojson'],
      ['connect', 'c1', '--', '-ojson'],
    ],
  ])('%j -> %j', (input, output) => {
    expect(normaliseArgs(input)).toEqual(output);
  });
});

describe('help text', () => {
  it('names option values instead of clipanion placeholders, keeping the columns', () => {
    expect(nameOptionValues('  --kubeconfig #0         Path\n  -o,--output #0          FORMAT')).toBe(
      '  --kubeconfig PATH       Path\n  -o,--output FORMAT      FORMAT',
    );
    expect(nameOptionValues('[--mesh-id #0]')).toBe('[--mesh-id VALUE]');
  });

  it('has no #0 placeholder in any help page', async () => {
    for (const args of [['--help'], ...commandWords().map((word) => [word, '--help'])]) {
      const run = await runPlugin(args);
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('#0');
      expect(run.stdout).not.toContain('\x1b[');
    }
  });
});

describe('version and verbosity', () => {
  it('prints the version for `version` and `--version`, and -v alone is not the version', async () => {
    expect((await runPlugin(['version'])).stdout).toMatch(/^kubectl-asmpvl \d+\.\d+\.\d+/);
    expect((await runPlugin(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const bare = await runPlugin(['-v']);
    expect(bare.code).toBe(2);
    expect(bare.stdout).not.toMatch(/^kubectl-asmpvl \d/);
  });

  it('knows its command words', () => {
    expect(commandWords()).toEqual(expect.arrayContaining(['status', 'validate', 'connect', 'sync-san', 'version']));
    expect(commandWords()).not.toContain('__complete');
  });
});
