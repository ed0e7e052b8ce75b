/**
 * Reads of one run started at once (a cluster's detail, a vSwitch, a resource's zones), at most. The
 * cloud's pacer (engine/cloud/pacing.ts) spaces the calls at each action's rate limit, so this only
 * caps the calls waiting for their turn; with 8, 100 clusters' reads took several times their rate.
 */
export const READS_AT_ONCE = 64;

/** Runs `work` for each item, at most `limit` at a time, keeping the order of results. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
