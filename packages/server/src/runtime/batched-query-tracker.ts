import { normalizeQuery, type QueryCount, type QueryTracker } from "@ragloom/core";
import type { Redis } from "ioredis";

/** Options of {@link createBatchedQueryTracker}. */
export interface BatchedQueryTrackerOptions {
  client: Redis;
  /** The tracker that reads the counts back (`createRedisQueryTracker` with the same `key`, `windowMs`, `bucketMs`). */
  reader: QueryTracker;
  /** Key prefix of the sorted sets, as the reader's. */
  key: string;
  /** As the reader's. @default 86400000 (24 hours) */
  windowMs?: number;
  /** As the reader's. @default 3600000 (1 hour) */
  bucketMs?: number;
  /** How often counts are written, in milliseconds. @default 1000 */
  flushMs?: number;
  /** Distinct queries held before a flush is forced. @default 1000 */
  maxPending?: number;
  /** Receives a failed write (the counts of that flush are dropped). */
  onError?: (error: unknown) => void;
}

/**
 * Counts queries in memory and writes them to Redis once per `flushMs` (one pipeline of
 * `ZINCRBY count` per distinct query plus `PEXPIRE`), in the sorted-set layout of
 * `createRedisQueryTracker` (`<key>:<floor(now / bucketMs)>`), instead of one round trip per
 * request. `topQueries` flushes first, then reads through `reader`. Counts not yet written are
 * lost if the process dies (at most `flushMs` of them); `close` writes them.
 */
export function createBatchedQueryTracker(
  options: BatchedQueryTrackerOptions,
): QueryTracker & { flush(): Promise<void>; close(): Promise<void> } {
  const { client, reader, key } = options;
  const windowMs = options.windowMs ?? 86_400_000;
  const bucketMs = options.bucketMs ?? 3_600_000;
  const flushMs = options.flushMs ?? 1000;
  const maxPending = options.maxPending ?? 1000;
  let pending = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const counts = pending;
    pending = new Map();
    const k = `${key}:${Math.floor(Date.now() / bucketMs)}`;
    const pipeline = client.pipeline();
    for (const [member, n] of counts) pipeline.zincrby(k, n, member);
    pipeline.pexpire(k, windowMs + bucketMs);
    try {
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) throw failed;
    } catch (error) {
      options.onError?.(error);
    }
  }

  return {
    async record(query) {
      const member = normalizeQuery(query);
      if (!member) return;
      pending.set(member, (pending.get(member) ?? 0) + 1);
      if (pending.size >= maxPending) await flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), flushMs);
        timer.unref();
      }
    },
    async topQueries(n): Promise<QueryCount[]> {
      await flush();
      return reader.topQueries(n);
    },
    flush,
    close: flush,
  };
}
