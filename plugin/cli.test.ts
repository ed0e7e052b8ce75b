import { commandWords, normaliseArgs } from './cli';
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

describe('help, as kubectl writes it', () => {
  it('has no #0 placeholder and no colour in any help page', async () => {
    for (const args of [['--help'], ['help'], [], ...commandWords().map((word) => [word, '--help'])]) {
      const run = await runPlugin(args);
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('#0');
      expect(run.stdout).not.toContain('\x1b[');
    }
  });

  it("lists a command's own flags, and the shared ones on the options page", async () => {
    const status = await runPlugin(['status', '--help']);
    expect(status.stdout).toContain('\n  -o, --output FORMAT ');
    expect(status.stdout).not.toContain('--kubeconfig');
    expect(status.stdout).toContain('Use "kubectl asmpvl options" for a list of global command-line options');
    expect(status.stdout).not.toContain('--request-timeout');
    const options = await runPlugin(['options']);
    expect(options).toMatchObject({ code: 0, stderr: '' });
    expect(options.stdout).toMatch(/^ {6}--kubeconfig PATH +Path to the kubeconfig/m);
    expect(options.stdout).toMatch(/^ {2}-v, --verbose +/m);
    expect(options.stdout).not.toContain('--output');
    // validate talks to no cluster: no pointer to flags it does not take.
    expect((await runPlugin(['validate', '--help'])).stdout).not.toContain('options" for a list');
  });

  it('help [command] is the overview or that command, as --help', async () => {
    expect(await runPlugin(['help', 'status'])).toEqual(await runPlugin(['status', '--help']));
    expect(await runPlugin(['help'])).toEqual(await runPlugin(['--help']));
    expect((await runPlugin(['help'])).stdout).toMatch(/^ {2}status +Show the PrivateLink links of every cluster$/m);
  });

  it('never names a hidden command', async () => {
    const overview = await runPlugin(['help']);
    expect(overview.stdout).not.toContain('__complete');
    const typo = await runPlugin(['__complet']);
    expect(typo).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: unknown command "__complet" for "kubectl asmpvl"\nSee 'kubectl asmpvl --help' for usage.\n`,
    });
    expect((await runPlugin(['help', '__complete'])).code).toBe(2);
  });
});

describe("usage errors, in kubectl's words, exit 2", () => {
  it.each([
    [['status', '--x'], "error: unknown flag: --x\nSee 'kubectl asmpvl status --help' for usage.\n"],
    [['status', '--x=1'], "error: unknown flag: --x\nSee 'kubectl asmpvl status --help' for usage.\n"],
    [['status', '-q'], "error: unknown shorthand flag: 'q' in -q\nSee 'kubectl asmpvl status --help' for usage.\n"],
    [['status', '-o'], "error: flag needs an argument: 'o' in -o\nSee 'kubectl asmpvl status --help' for usage.\n"],
    [
      ['status', '--output'],
      "error: flag needs an argument: --output\nSee 'kubectl asmpvl status --help' for usage.\n",
    ],
    [['connect'], "error: expected <clusterId> ...\nSee 'kubectl asmpvl connect --help' for usage.\n"],
    [
      ['stauts'],
      `error: unknown command "stauts" for "kubectl asmpvl"\n\nDid you mean this?\n\tstatus\n\nSee 'kubectl asmpvl --help' for usage.\n`,
    ],
  ])('%j', async (args, stderr) => {
    expect(await runPlugin(args)).toEqual({ code: 2, stdout: '', stderr });
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
