import { runPlugin } from '../testing/run-cli';

// clipanion joins the lines of a paragraph and keeps a list item only when it is one line: a wrapped
// item in a command's details would render as a stray indented fragment.
const COMMANDS = ['connect', 'disconnect', 'sync-san', 'status', 'doctor', 'validate', 'policy'];

test.each(COMMANDS)('%s --help: every indented line of the details continues a list item', async (command) => {
  const { stdout } = await runPlugin([command, '--help']);
  const details = (stdout.split('\n\n').slice(1).join('\n\n').split('\nExamples:\n')[0] ?? '').trim();
  const lines = details.split('\n');
  lines.forEach((line, index) => {
    if (!/^\s+\S/.test(line)) return;
    const item = lines
      .slice(0, index)
      .reverse()
      .find((previous) => !/^\s+\S/.test(previous));
    expect({ line, item: item?.startsWith('- ') ?? false }).toEqual({ line, item: true });
  });
  expect(details).not.toMatch(/#\d\b/);
});
