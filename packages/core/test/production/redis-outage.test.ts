import type { Redis } from "ioredis";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requireModelDir,
  type ServiceHandle,
  startRedis,
  stopAllServices,
} from "../../../../test/services.js";
import {
  createCircuitBreaker,
  createEmbeddingCache,
  createEventBus,
  createHealthCheck,
  createRetriever,
  float32Codec,
  InMemoryVectorStore,
  resultCodec,
  withCache,
  withResultCache,
} from "../../src/index.js";
import { createPrometheusMetrics } from "../../src/prometheus.js";
import { createRedisCacheStore, createRedisClient, redisProbe } from "../../src/redis.js";
import { createTransformersEmbedder } from "../../src/transformers.js";
import { scifactDocs, scifactQueries } from "./fixtures.js";

let redis: ServiceHandle;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = await createRedisClient(redis.url);
});
afterAll(async () => {
  client?.disconnect();
  await stopAllServices();
});

describe("Redis outage during a query run (real Redis stopped and restarted)", () => {
  it("keeps answering without the cache, opens the Redis breaker, closes it when Redis returns", async () => {
    const events = createEventBus();
    const log: string[] = [];
    for (const name of ["breaker:open", "breaker:half-open", "breaker:close"] as const)
      events.on(name, () => log.push(name));
    let cacheErrors = 0;
    events.on("cache:error", () => cacheErrors++);
    const breaker = createCircuitBreaker({ service: "redis", resetTimeoutMs: 500, events });
    const registry = new Registry();
    const metrics = createPrometheusMetrics({ events, registry, breakers: [breaker] });

    const minilm = await createTransformersEmbedder({
      localModelPath: requireModelDir(),
      offline: true,
      dtype: "q8",
    });
    const embedder = withCache(
      minilm,
      createEmbeddingCache({
        l1: false,
        l2: createRedisCacheStore({ client, codec: float32Codec, breaker, events }),
        events,
      }),
    );
    const retriever = createRetriever({
      embedder,
      store: new InMemoryVectorStore({ dimensions: 384 }),
      splitter: false,
      events,
    });
    await retriever.add(scifactDocs(60));
    // L1 off: every query goes to Redis, so the outage is felt at once
    const cached = withResultCache(retriever, {
      l1: false,
      l2: createRedisCacheStore({ client, codec: resultCodec, breaker, events }),
      events,
    });
    const health = createHealthCheck({
      dependencies: { redis: { check: redisProbe(client), critical: false, breaker, timeoutMs: 300 } },
    });
    const queries = scifactQueries(10);
    const run = async (n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(await cached.retrieve(queries[i % queries.length]!, { k: 5 }));
      return out;
    };

    const before = await run(20);
    expect(before.every((r) => r.documents.length === 5)).toBe(true);
    expect(before.filter((r) => r.info?.cache === "hit").length).toBe(10);
    expect((await health.readiness()).status).toBe("up");

    await redis.stop();
    const during = await run(20);
    expect(during.every((r) => r.documents.length === 5)).toBe(true);
    expect(during.every((r) => r.info?.cache === "miss")).toBe(true);
    // same answers as with the cache
    expect(during.slice(0, 10).map((r) => r.documents.map((d) => d.id))).toEqual(
      before.slice(0, 10).map((r) => r.documents.map((d) => d.id)),
    );
    expect(log).toContain("breaker:open");
    expect(breaker.state).toBe("open");
    expect(cacheErrors).toBeGreaterThanOrEqual(5);
    const down = await health.readiness();
    expect(down.status).toBe("degraded"); // Redis is not critical
    expect(down.dependencies.redis).toMatchObject({ status: "down", breaker: "open" });
    expect(await registry.getSingleMetricAsString("ragloom_breaker_state")).toContain('service="redis"} 2');

    await redis.restart();
    const deadline = Date.now() + 10_000;
    while (breaker.state !== "closed" && Date.now() < deadline) {
      await run(1);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(breaker.state).toBe("closed");
    expect(log.slice(-2)).toEqual(["breaker:half-open", "breaker:close"]);
    const after = await run(20);
    expect(after.every((r) => r.documents.length === 5)).toBe(true);
    expect(after.filter((r) => r.info?.cache === "hit").length).toBeGreaterThanOrEqual(10);
    expect(await client.dbsize()).toBeGreaterThan(10);
    expect((await health.readiness()).status).toBe("up");

    const text = await registry.metrics();
    expect(text).toMatch(/ragloom_cache_hit_ratio\{cache="result"\} 0\.\d+/);
    expect(text).toMatch(/ragloom_breaker_transitions_total\{service="redis",state="open"\} [1-9]/);
    expect(text).toMatch(/ragloom_stage_duration_seconds_count\{stage="embed"\} \d+/);
    expect(text).toMatch(/ragloom_retrievals_total\{status="ok"\} \d+/);
    metrics.detach();
    breaker.shutdown();
  }, 90_000);
});
