/** The batched query tracker against a real Redis, read back by core's Redis tracker. */
import { createRedisClient, createRedisQueryTracker } from "@ragloom/core/redis";
import { afterAll, expect, it } from "vitest";
import { startRedis, stopAllServices } from "../../../test/services.js";
import { createBatchedQueryTracker } from "../src/runtime/batched-query-tracker.js";

afterAll(stopAllServices);

it("counts in process, writes in one pipeline per flush, and reads back through the Redis tracker", async () => {
  const redis = await startRedis();
  const client = await createRedisClient(redis.url);
  const key = "ragloom:queries:test";
  const reader = createRedisQueryTracker({ client, key });
  const errors: unknown[] = [];
  const tracker = createBatchedQueryTracker({
    client,
    key,
    reader,
    flushMs: 60_000,
    onError: (e) => errors.push(e),
  });
  try {
    for (const q of ["Kubernetes  probes", "kubernetes probes", "redis", "  "]) await tracker.record(q);
    // nothing written before a flush
    expect(await reader.topQueries(5)).toEqual([]);
    expect(await tracker.topQueries(5)).toEqual([
      { query: "kubernetes probes", count: 2 },
      { query: "redis", count: 1 },
    ]);
    await tracker.record("redis");
    await tracker.close();
    expect(await reader.topQueries(1)).toEqual([{ query: "kubernetes probes", count: 2 }]);
    expect(await reader.topQueries(5)).toContainEqual({ query: "redis", count: 2 });
    const ttl = await client.pttl(reader.keys()[0]!);
    expect(ttl).toBeGreaterThan(86_400_000);
    // a full buffer flushes at once
    const small = createBatchedQueryTracker({ client, key, reader, flushMs: 60_000, maxPending: 2 });
    await small.record("a");
    await small.record("b");
    expect(await reader.topQueries(10)).toEqual(expect.arrayContaining([{ query: "a", count: 1 }]));
    expect(errors).toEqual([]);
  } finally {
    client.disconnect();
  }
});
