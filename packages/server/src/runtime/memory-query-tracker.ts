import { normalizeQuery, type QueryCount, type QueryTracker } from "@ragloom/core";

/**
 * An in-process {@link QueryTracker} (used when no Redis is configured): counts normalised
 * queries in a map of at most `maxEntries`; when full, the least counted half is dropped.
 * @param maxEntries - distinct queries kept. @default 10000
 */
export function createMemoryQueryTracker(maxEntries = 10_000): QueryTracker {
  const counts = new Map<string, number>();
  return {
    async record(query) {
      const q = normalizeQuery(query);
      if (!q) return;
      counts.set(q, (counts.get(q) ?? 0) + 1);
      if (counts.size > maxEntries) {
        const sorted = [...counts].sort((a, b) => a[1] - b[1]);
        for (const [k] of sorted.slice(0, Math.floor(maxEntries / 2))) counts.delete(k);
      }
    },
    async topQueries(n): Promise<QueryCount[]> {
      return [...counts]
        .map(([query, count]) => ({ query, count }))
        .sort((a, b) => b.count - a.count || (a.query < b.query ? -1 : 1))
        .slice(0, n);
    },
  };
}
