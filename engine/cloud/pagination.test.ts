import { collectNumberedPages, collectTokenPages, type Page } from './pagination';
import type { Cloud } from './index';
import { cloudAt } from './testkit/cloud-at';
import { type RecordingServer, startRecordingServer } from './testkit/recording-server';

const subject = { product: 'PrivateLink' as const, action: 'ListVpcEndpoints' };

describe('collectTokenPages', () => {
  it('follows NextToken until a page has none', async () => {
    const pages: Record<string, Page<number>> = {
      start: { items: [1, 2], nextToken: 'b' },
      b: { items: [3], nextToken: 'c' },
      c: { items: [4], nextToken: '' },
    };
    const asked: (string | undefined)[] = [];
    const items = await collectTokenPages(subject, async (token) => {
      asked.push(token);
      return pages[token ?? 'start']!;
    });
    expect(items).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([undefined, 'b', 'c']);
  });

  it('stops with an error after maxPages', async () => {
    let n = 0;
    await expect(
      collectTokenPages(subject, async () => ({ items: [n], nextToken: `t${++n}` }), { maxPages: 3, pageSize: 10 }),
    ).rejects.toMatchObject({
      code: 'PaginationLimitExceeded',
      message: 'still more pages after 3 pages of 10',
    });
    expect(n).toBe(3);
  });

  it('stops with an error when a token comes back again', async () => {
    await expect(collectTokenPages(subject, async () => ({ items: [], nextToken: 'same' }))).rejects.toMatchObject({
      code: 'PaginationLimitExceeded',
      message: 'the answer repeated NextToken same',
    });
  });
});

describe('collectNumberedPages', () => {
  it('stops at TotalCount or a short page', async () => {
    const asked: number[] = [];
    const items = await collectNumberedPages(
      subject,
      async (page, size) => {
        asked.push(page);
        return {
          items: page < 3 ? Array.from({ length: size }, (_, i) => page * 10 + i) : [99],
          totalCount: 2 * size + 1,
        };
      },
      { pageSize: 2 },
    );
    expect(items).toEqual([10, 11, 20, 21, 99]);
    expect(asked).toEqual([1, 2, 3]);
  });
});

describe('listAll… through the SDK', () => {
  let server: RecordingServer;
  let cloud: Cloud;

  beforeAll(async () => {
    server = await startRecordingServer((request) => {
      const token = request.query.NextToken;
      if (request.action === 'ListVpcEndpointZones') {
        return token
          ? { body: { RequestId: 'R2', Zones: [{ ZoneId: 'cn-hangzhou-k', ZoneStatus: 'Wait' }] } }
          : {
              body: {
                RequestId: 'R1',
                NextToken: 'page-2',
                Zones: [{ ZoneId: 'cn-hangzhou-j', ZoneStatus: 'Connected' }],
              },
            };
      }
      return { body: { RequestId: 'R', Endpoints: [] } };
    });
    cloud = cloudAt(server.url);
  });
  afterAll(() => server.stop());

  it('sends MaxResults and the NextToken of the previous page', async () => {
    const zones = await cloud.privateLink.endpoints.listAllVpcEndpointZones('ep-1', { pageSize: 20 });
    expect(zones.map((zone) => [zone.zoneId, zone.zoneStatus])).toEqual([
      ['cn-hangzhou-j', 'Connected'],
      ['cn-hangzhou-k', 'Wait'],
    ]);
    expect(server.requests.map((request) => request.query)).toEqual([
      { RegionId: 'cn-hangzhou', EndpointId: 'ep-1', MaxResults: '20' },
      { RegionId: 'cn-hangzhou', EndpointId: 'ep-1', NextToken: 'page-2', MaxResults: '20' },
    ]);
  });
});
