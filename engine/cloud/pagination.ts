/**
 * Following a List call's pages to the end, with a bound: a cloud that keeps handing out tokens
 * (or hands back the same one) must not keep us looping.
 */
import { CloudError, type CloudProduct, LocalErrorCode } from './errors';

/** One page of a NextToken-paged List answer. */
export interface Page<T> {
  items: T[];
  /** Absent or empty on the last page. */
  nextToken?: string;
  totalCount?: number;
  requestId?: string;
}

/** How far `listAll…` functions follow NextToken. */
export interface PagingOptions {
  /** Items per page, 1-50 for PrivateLink; default 50. */
  pageSize?: number;
  /** Stop with an error after this many pages; default 100 (5000 items at 50 a page). */
  maxPages?: number;
}

export const defaultPaging = { pageSize: 50, maxPages: 100 } as const;

/** Fetches pages by NextToken until one has none, and returns all items in order. */
export async function collectTokenPages<T>(
  subject: { product: CloudProduct; action: string },
  fetchPage: (nextToken: string | undefined, pageSize: number) => Promise<Page<T>>,
  options: PagingOptions = {},
): Promise<T[]> {
  const pageSize = options.pageSize ?? defaultPaging.pageSize;
  const maxPages = options.maxPages ?? defaultPaging.maxPages;
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await fetchPage(token, pageSize);
    items.push(...page.items);
    token = page.nextToken || undefined;
    if (token === undefined) return items;
    if (seen.has(token)) throw paginationError(subject, `the answer repeated NextToken ${token}`);
    seen.add(token);
  }
  throw paginationError(subject, `still more pages after ${maxPages} pages of ${pageSize}`);
}

/** One page of a PageNumber/PageSize-paged answer (VPC, SLB). */
export interface NumberedPage<T> {
  items: T[];
  totalCount?: number;
}

/** Fetches pages 1, 2, ... until TotalCount is reached or a page comes back short. */
export async function collectNumberedPages<T>(
  subject: { product: CloudProduct; action: string },
  fetchPage: (pageNumber: number, pageSize: number) => Promise<NumberedPage<T>>,
  options: PagingOptions = {},
): Promise<T[]> {
  const pageSize = options.pageSize ?? defaultPaging.pageSize;
  const maxPages = options.maxPages ?? defaultPaging.maxPages;
  const items: T[] = [];
  for (let pageNumber = 1; pageNumber <= maxPages; pageNumber++) {
    const page = await fetchPage(pageNumber, pageSize);
    items.push(...page.items);
    const reachedTotal = page.totalCount !== undefined && items.length >= page.totalCount;
    if (reachedTotal || page.items.length < pageSize) return items;
  }
  throw paginationError(subject, `still more pages after ${maxPages} pages of ${pageSize}`);
}

function paginationError(subject: { product: CloudProduct; action: string }, message: string): CloudError {
  return new CloudError({ ...subject, code: LocalErrorCode.paginationLimit, message, retryable: false });
}
