// NextToken/MaxResults paging of PrivateLink List* actions, and PageNumber/PageSize paging of the
// older VPC and SLB Describe* actions.
import { illegalParam } from './errors';
import type { RpcParams } from './params';

export interface TokenPage<T> {
  items: T[];
  /** Absent on the last page. */
  nextToken?: string;
  maxResults: number;
  totalCount: number;
}

const TOKEN_PREFIX = 'ET';

/** Opaque to clients, like the cloud's tokens; it only carries the offset of the next page. */
export function encodeNextToken(offset: number): string {
  return TOKEN_PREFIX + Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeNextToken(token: string): number {
  const decoded = token.startsWith(TOKEN_PREFIX)
    ? Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString()
    : '';
  const match = /^offset:(\d+)$/.exec(decoded);
  if (!match) throw illegalParam('NextToken', 'not a token this API returned');
  return Number(match[1]);
}

/** One page of `items` per `NextToken` and `MaxResults` (1–50, default 50). */
export function pageByToken<T>(items: T[], params: RpcParams, limits = { max: 50, default: 50 }): TokenPage<T> {
  const maxResults = params.optionalInteger('MaxResults', { min: 1, max: limits.max }) ?? limits.default;
  const token = params.optionalString('NextToken');
  const offset = token === undefined ? 0 : decodeNextToken(token);
  if (offset > items.length) throw illegalParam('NextToken', 'points past the end of the list');
  const end = offset + maxResults;
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? encodeNextToken(end) : undefined,
    maxResults,
    totalCount: items.length,
  };
}

export interface NumberedPage<T> {
  items: T[];
  pageNumber: number;
  pageSize: number;
  totalCount: number;
}

/** One page of `items` per `PageNumber` (from 1) and `PageSize`. */
export function pageByNumber<T>(
  items: T[],
  params: RpcParams,
  limits: { max: number; default: number },
): NumberedPage<T> {
  const pageNumber = params.optionalInteger('PageNumber', { min: 1, max: 1_000_000 }) ?? 1;
  const pageSize = params.optionalInteger('PageSize', { min: 1, max: limits.max }) ?? limits.default;
  const start = (pageNumber - 1) * pageSize;
  return { items: items.slice(start, start + pageSize), pageNumber, pageSize, totalCount: items.length };
}
