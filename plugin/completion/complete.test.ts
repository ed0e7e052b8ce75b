import { type CommandSpec, complete, Directive, flagValue, formatCompletion } from './complete';

const commands: CommandSpec[] = [
  {
    word: 'status',
    description: 'Show the links',
    options: [
      { names: ['-o', '--output'], takesValue: true, description: 'format' },
      { names: ['--context'], takesValue: true, description: 'context' },
      { names: ['--kubeconfig'], takesValue: true, description: 'kubeconfig' },
      { names: ['-w', '--watch'], takesValue: false, description: 'watch' },
    ],
    outputs: ['table', 'wide', 'json'],
  },
  { word: 'disconnect', description: 'Remove a cluster', options: [], takesClusterIds: true },
];
const sources = {
  contexts: () => Promise.resolve(['prod', 'staging']),
  clusterIds: () => Promise.resolve(['c1', 'c2', 'd3']),
};

describe('complete', () => {
  it.each([
    [[''], ['status\tShow the links', 'disconnect\tRemove a cluster'], Directive.NoFileComp],
    [['st'], ['status\tShow the links'], Directive.NoFileComp],
    [['status', '--w'], ['--watch\twatch'], Directive.NoFileComp],
    [['status', '-o', 'j'], ['json'], Directive.NoFileComp],
    [['status', '--context', ''], ['prod', 'staging'], Directive.NoFileComp],
    [['status', '--kubeconfig', ''], [], Directive.Default],
    [['disconnect', 'c'], ['c1', 'c2'], Directive.NoFileComp],
    [['disconnect', 'c1', ''], ['c2', 'd3'], Directive.NoFileComp],
    [['status', ''], [], Directive.NoFileComp],
  ])('%j', async (words, candidates, directive) => {
    expect(await complete(words, commands, sources)).toEqual({ candidates, directive });
  });

  it('formats as kubectl reads a plugin completion', () => {
    expect(formatCompletion({ candidates: ['a', 'b\tdesc'], directive: 4 })).toBe('a\nb\tdesc\n:4\n');
  });

  it('reads flag values in both spellings', () => {
    expect(flagValue(['status', '--context', 'x'], '--context')).toBe('x');
    expect(flagValue(['status', '--context=y'], '--context')).toBe('y');
    expect(flagValue(['status'], '--context')).toBeUndefined();
  });
});
