import { Timeline } from './timeline';

describe('Timeline', () => {
  it('applies due transitions in time order, ties in scheduling order, including ones scheduled while settling', () => {
    const timeline = new Timeline();
    const applied: string[] = [];
    timeline.schedule(30, 'c', () => applied.push('c'));
    timeline.schedule(10, 'a', () => {
      applied.push('a');
      timeline.schedule(20, 'a-follow-up', () => applied.push('a-follow-up'));
    });
    timeline.schedule(30, 'd', () => applied.push('d'));
    timeline.schedule(50, 'later', () => applied.push('later'));
    timeline.settle(30);
    expect(applied).toEqual(['a', 'a-follow-up', 'c', 'd']);
    expect(timeline.pending().map((transition) => transition.label)).toEqual(['later']);
    expect(timeline.nextDue()).toBe(50);
  });
});
