import { BatchedPoll, FEW_POLLS, LIST_GAP_MS } from './polls';
import { fakeClock } from '../testing/fake-clock';

interface Item {
  id: string;
  state: string;
}

function fakeCloud(items: Item[]) {
  const calls: string[] = [];
  return {
    calls,
    get: async (id: string) => {
      calls.push(`get ${id}`);
      return items.find((item) => item.id === id);
    },
    list: async () => {
      calls.push('list');
      return items.map((item) => ({ ...item }));
    },
  };
}

/** Starts `count` waits that each read once (all at the same moment) and ends them together. */
async function readTogether(poll: BatchedPoll<Item>, ids: string[]): Promise<Array<Item | undefined>> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const reads: Array<Promise<Item | undefined>> = [];
  const waits = ids.map((id) =>
    poll.watch(async () => {
      await Promise.resolve();
      const read = poll.read(id);
      reads.push(read);
      await held;
      return read;
    }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  const answers = await Promise.all(reads);
  release();
  await Promise.all(waits);
  return answers;
}

describe('BatchedPoll', () => {
  const items = Array.from({ length: 10 }, (_, i) => ({ id: `ep-${i}`, state: i % 2 ? 'Active' : 'Creating' }));

  test(`with ${FEW_POLLS} waits or fewer, each read is its own Get`, async () => {
    const cloud = fakeCloud(items);
    const poll = new BatchedPoll<Item>(cloud.get, cloud.list, (item) => item.id, fakeClock());
    const answers = await readTogether(poll, ['ep-0', 'ep-1', 'ep-2']);
    expect(answers.map((item) => item?.state)).toEqual(['Creating', 'Active', 'Creating']);
    expect(cloud.calls.sort()).toEqual(['get ep-0', 'get ep-1', 'get ep-2']);
  });

  test('with more, the reads waiting at once are answered by one list', async () => {
    const cloud = fakeCloud(items);
    const poll = new BatchedPoll<Item>(cloud.get, cloud.list, (item) => item.id, fakeClock());
    const ids = items.map((item) => item.id);
    const answers = await readTogether(poll, ids);
    expect(answers.map((item) => item?.id)).toEqual(ids);
    expect(answers.map((item) => item?.state)).toEqual(items.map((item) => item.state));
    expect(cloud.calls).toEqual(['list']);
  });

  test('one not in the list is asked for alone: gone stays what the Get says', async () => {
    const cloud = fakeCloud(items);
    const poll = new BatchedPoll<Item>(cloud.get, cloud.list, (item) => item.id, fakeClock());
    const answers = await readTogether(poll, ['ep-0', 'ep-1', 'ep-2', 'ep-3', 'ep-gone']);
    expect(answers.map((item) => item?.id)).toEqual(['ep-0', 'ep-1', 'ep-2', 'ep-3', undefined]);
    expect(cloud.calls).toEqual(['list', 'get ep-gone']);
  });

  test('lists are spaced by the gap, and a read is never answered by a list that started before it', async () => {
    const cloud = fakeCloud(items);
    const clock = fakeClock();
    const poll = new BatchedPoll<Item>(cloud.get, cloud.list, (item) => item.id, clock);
    const ids = items.map((item) => item.id);
    await readTogether(poll, ids);
    await readTogether(poll, ids);
    expect(cloud.calls).toEqual(['list', 'list']);
    expect(clock.sleeps).toEqual([LIST_GAP_MS]);
  });

  test('a read asked during the gap waits only for what is left of it', async () => {
    const cloud = fakeCloud(items);
    const clock = fakeClock();
    const poll = new BatchedPoll<Item>(cloud.get, cloud.list, (item) => item.id, clock);
    const ids = items.map((item) => item.id);
    await readTogether(poll, ids);
    await clock.sleep(100);
    await readTogether(poll, ids);
    expect(cloud.calls).toEqual(['list', 'list']);
    expect(clock.sleeps).toEqual([100, LIST_GAP_MS - 100]);
  });

  test('a failed list fails no read: each waiting read then asks alone', async () => {
    const cloud = fakeCloud(items);
    let fail = true;
    const list = async () => {
      if (fail) {
        fail = false;
        throw new Error('throttled');
      }
      return cloud.list();
    };
    const poll = new BatchedPoll<Item>(cloud.get, list, (item) => item.id, fakeClock());
    const ids = items.slice(0, 5).map((item) => item.id);
    await expect(readTogether(poll, ids)).resolves.toEqual(items.slice(0, 5));
    expect(cloud.calls).toEqual(ids.map((id) => `get ${id}`));
    await expect(readTogether(poll, ids)).resolves.toEqual(items.slice(0, 5));
    expect(cloud.calls.slice(ids.length)).toEqual(['list']);
  });
});
