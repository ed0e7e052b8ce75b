import fc from 'fast-check';
import { encodeNextToken, pageByNumber, pageByToken } from './pagination';
import { RpcParams } from './params';

const withParams = (entries: Record<string, string>) => new RpcParams(Object.entries(entries));

describe('pageByToken', () => {
  it('visits every item exactly once, in order, for any list length and page size', () => {
    fc.assert(
      fc.property(fc.nat(120), fc.integer({ min: 1, max: 50 }), (length, maxResults) => {
        const items = Array.from({ length }, (_, n) => n);
        const seen: number[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = pageByToken(
            items,
            withParams({ MaxResults: String(maxResults), ...(token ? { NextToken: token } : {}) }),
          );
          expect(page.totalCount).toBe(length);
          expect(page.items.length).toBeLessThanOrEqual(maxResults);
          seen.push(...page.items);
          token = page.nextToken;
          pages++;
        } while (token);
        expect(seen).toEqual(items);
        expect(pages).toBe(Math.max(1, Math.ceil(length / maxResults)));
      }),
    );
  });

  it('refuses a token past the end', () => {
    expect(() => pageByToken([1, 2], withParams({ NextToken: encodeNextToken(5) }))).toThrow('NextToken');
  });
});

describe('pageByNumber', () => {
  it('answers the asked page and its size', () => {
    const page = pageByNumber([1, 2, 3, 4, 5], withParams({ PageNumber: '2', PageSize: '2' }), {
      max: 50,
      default: 10,
    });
    expect(page).toEqual({ items: [3, 4], pageNumber: 2, pageSize: 2, totalCount: 5 });
  });
});
