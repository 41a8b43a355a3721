import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireModelDir, startRedis, stopAllServices } from "../../../../test/services.js";
import {
  createEmbeddingCache,
  createEventBus,
  createJsonCodec,
  createMemorySemanticStore,
  createRetriever,
  createSemanticCache,
  createTieredCache,
  type Embedder,
  F,
  float32Codec,
  type HybridRetriever,
  InMemoryVectorStore,
  type RagloomEventMap,
  resultCodec,
  type SemanticCacheStore,
  warmCache,
  withCache,
  withQueryTracking,
  withResultCache,
  withSemanticCache,
} from "../../src/index.js";
import {
  createRedisCacheStore,
  createRedisClient,
  createRedisQueryTracker,
  createRedisSemanticStore,
} from "../../src/redis.js";
import { createTransformersEmbedder } from "../../src/transformers.js";
import { redisCalls, scifactDocs } from "./fixtures.js";

let client: Redis;
let minilm: Embedder;
let calls = 0;
let counted: Embedder;
let retriever: HybridRetriever;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  client = await createRedisClient((await startRedis()).url);
  minilm = await createTransformersEmbedder({
    localModelPath: requireModelDir(),
    offline: true,
    dtype: "q8",
  });
  // counts real embedder calls (texts embedded), to see what the caches save
  counted = {
    ...minilm,
    modelId: minilm.modelId,
    dimensions: minilm.dimensions,
    normalized: minilm.normalized,
    embedDocuments: (t, o) => {
      calls += t.length;
      return minilm.embedDocuments(t, o);
    },
    embedQuery: (t, o) => {
      calls++;
      return minilm.embedQuery(t, o);
    },
  };
  retriever = createRetriever({
    embedder: minilm,
    store: new InMemoryVectorStore({ dimensions: 384 }),
    splitter: false,
  });
  await retriever.add(scifactDocs(40));
});
afterAll(async () => {
  client?.disconnect();
  await stopAllServices();
});

describe("embedding cache (L1 LRU + L2 Redis)", () => {
  it("caches query and document embeddings, one MGET and one pipeline per batch", async () => {
    const l2 = createRedisCacheStore({ client, codec: float32Codec, prefix: "t1" });
    const cache = createEmbeddingCache({ l2 });
    const embedder = withCache(counted, cache);
    const texts = ["alpha beta", "gamma", "alpha beta", "delta epsilon", "gamma", "zeta"];
    calls = 0;
    const mget0 = await redisCalls(client, "mget");
    const v1 = await embedder.embedDocuments(texts);
    expect(calls).toBe(4); // 4 distinct texts embedded once
    expect(await redisCalls(client, "mget")).toBe(mget0 + 1);
    expect(v1[0]).toEqual(v1[2]);
    const direct = await minilm.embedDocuments(["alpha beta"]);
    expect(Array.from(v1[0]!)).toEqual(Array.from(direct[0]!));
    // warm: no embedder call, answered by L1 (no Redis round trip)
    calls = 0;
    const v2 = await embedder.embedDocuments(texts);
    expect(calls).toBe(0);
    expect(await redisCalls(client, "mget")).toBe(mget0 + 1);
    expect(v2.map((v) => Array.from(v))).toEqual(v1.map((v) => Array.from(v)));
    // a second process (fresh L1) finds them in Redis, byte-exact
    const other = withCache(counted, createEmbeddingCache({ l2 }));
    const v3 = await other.embedDocuments(["zeta", "gamma"]);
    expect(calls).toBe(0);
    expect(Array.from(v3[0]!)).toEqual(Array.from(v1[5]!));
    // queries are cached apart from documents
    await embedder.embedQuery("gamma");
    expect(calls).toBe(1);
    await embedder.embedQuery("gamma");
    expect(calls).toBe(1);
    expect(cache.stats()).toMatchObject({ l1Hits: 7, misses: 7 }); // 6 (first batch, per key) + 1 query
    // entries live 7 days by default
    const pttl = await client.pttl(`t1:${cache.key(counted.modelId, "document", "zeta")}`);
    expect(pttl).toBeGreaterThan(7 * 24 * 3_600_000 - 60_000);
    expect(pttl).toBeLessThanOrEqual(7 * 24 * 3_600_000);
  });
});

describe("result cache (L1 + L2 Redis)", () => {
  it("is cold, then warm in L1, then warm in L2 for a fresh process; adding documents invalidates", async () => {
    const events = createEventBus();
    const l2 = createRedisCacheStore({ client, codec: resultCodec, prefix: "t2" });
    const a = withResultCache(retriever, { l2, events, ttlMs: 60_000 });
    const query = "Microstructural development of newborn cerebral white matter";
    const cold = await a.retrieve(query, { k: 3 });
    expect(cold.info?.cache).toBe("miss");
    expect(cold.timings.embed).toBeGreaterThan(0);
    expect(cold.timings.cache).toBeGreaterThanOrEqual(0);
    const warm = await a.retrieve(`  ${query.replaceAll(" ", "\t ")}  `, { k: 3 }); // whitespace is normalised
    expect(warm.info).toMatchObject({ cache: "hit", cacheLayer: "l1" });
    expect(warm.documents).toEqual(cold.documents);
    expect(warm.timings.embed).toBeUndefined();
    const b = withResultCache(retriever, { l2, ttlMs: 60_000 });
    const fromRedis = await b.retrieve(query, { k: 3 });
    expect(fromRedis.info).toMatchObject({ cache: "hit", cacheLayer: "l2" });
    expect(fromRedis.documents).toEqual(cold.documents);
    // k and filter are part of the key
    expect((await a.retrieve(query, { k: 4 })).info?.cache).toBe("miss");
    const filtered = await a.retrieve(query, { k: 3, filter: F.eq("tenant", "b") });
    expect(filtered.info?.cache).toBe("miss");
    expect(filtered.documents.every((d) => d.metadata.tenant === "b")).toBe(true);
    // index version: adding a document invalidates
    await retriever.add([
      {
        id: "new-doc",
        text: "White matter of the newborn brain develops quickly.",
        metadata: { tenant: "a" },
      },
    ]);
    const afterAdd = await a.retrieve(query, { k: 3 });
    expect(afterAdd.info?.cache).toBe("miss");
    expect(afterAdd.documents.map((d) => d.metadata.parentId)).toContain("new-doc");
    await retriever.delete(["new-doc"]);
    expect((await a.retrieve(query, { k: 3 })).info?.cache).toBe("miss");
    expect(a.cache.stats()).toMatchObject({ l1Hits: 1, misses: 5 });
    // invalidate() drops this namespace from L1 and Redis, and nothing else in the same Redis
    const shared = createRedisCacheStore({ client, codec: float32Codec, prefix: "t2" });
    await shared.setMany([["emb:x", new Float32Array([1, 2])]]);
    expect(await client.keys("t2:res:*")).not.toHaveLength(0);
    await a.invalidate();
    expect(await client.keys("t2:res:*")).toHaveLength(0);
    expect(await client.keys("t2:emb:*")).toEqual(["t2:emb:x"]);
    expect((await a.retrieve(query, { k: 3 })).info?.cache).toBe("miss");
  });

  it("coalesces concurrent misses of one key and keys per-call options such as mode", async () => {
    let inner = 0;
    const counting = {
      retrieve: (q: string, o?: Parameters<HybridRetriever["retrieve"]>[1]) => {
        inner++;
        return retriever.retrieve(q, o);
      },
    };
    const cached = withResultCache(counting, { version: () => retriever.version });
    const q = "newborn white matter diffusion anisotropy";
    const results = await Promise.all([1, 2, 3].map(() => cached.retrieve(q, { k: 2 })));
    expect(inner).toBe(1);
    expect(results.map((r) => r.info?.cache).sort()).toEqual(["coalesced", "coalesced", "miss"]);
    expect(results[1]!.documents).toEqual(results[0]!.documents);
    const lexicalOpts = { k: 2, mode: "dense" as const, extra: 1 };
    expect((await cached.retrieve(q, lexicalOpts)).info?.cache).toBe("miss");
    expect((await cached.retrieve(q, lexicalOpts)).info?.cache).toBe("hit");
    expect(inner).toBe(2);
  });

  it("expires entries after their time to live in both levels", async () => {
    const l2 = createRedisCacheStore({ client, codec: resultCodec, prefix: "t3" });
    const evicted: RagloomEventMap["cache:evict"][] = [];
    const events = createEventBus();
    events.on("cache:evict", (e) => evicted.push(e));
    const cached = withResultCache(retriever, { l2, ttlMs: 300, events });
    const q = "cerebral white matter diffusion";
    expect((await cached.retrieve(q, { k: 2 })).info?.cache).toBe("miss");
    expect((await cached.retrieve(q, { k: 2 })).info?.cache).toBe("hit");
    const [key] = await client.keys("t3:*");
    const pttl = await client.pttl(key!);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    await sleep(400);
    expect(await client.exists(key!)).toBe(0);
    expect((await cached.retrieve(q, { k: 2 })).info?.cache).toBe("miss");
  });

  it("an entry copied from Redis into a fresh L1 expires when the Redis entry does, not a whole TTL later", async () => {
    const l2 = createRedisCacheStore<{ n: number }>({ client, codec: createJsonCodec("none"), prefix: "t4" });
    const writer = createTieredCache<{ n: number }>({ name: "result", l2, ttlMs: 2000 });
    const written = Date.now();
    await writer.setMany([["k", { n: 1 }]]);
    await sleep(700);
    // another process: empty L1, same Redis, same TTL setting
    const reader = createTieredCache<{ n: number }>({ name: "result", l2, ttlMs: 2000 });
    expect(await reader.get("k")).toMatchObject({ layer: "l2", value: { n: 1 } });
    expect(await reader.get("k")).toMatchObject({ layer: "l1" });
    await sleep(Math.max(0, written + 2300 - Date.now())); // gone from Redis, so gone from the copy
    expect(await client.exists("t4:k")).toBe(0);
    expect(await reader.get("k")).toBeUndefined();
  });
});

const semanticSuite = (name: string, makeStore: () => SemanticCacheStore) =>
  describe(`semantic cache (${name} store)`, () => {
    const q1 = "Vitamin D supplementation reduces the risk of fractures";
    const q2 = "vitamin D supplements lower the risk of bone fractures";
    const unrelated = "Diffusion tensor imaging of the newborn brain";

    it("hits just inside the distance threshold and misses just outside it", async () => {
      const embedder = withCache(counted);
      const [v1, v2] = await Promise.all([embedder.embedQuery(q1), embedder.embedQuery(q2)]);
      let dot = 0;
      for (let i = 0; i < v1.length; i++) dot += v1[i]! * v2[i]!;
      const d = 1 - dot; // cosine distance of the paraphrase
      expect(d).toBeGreaterThan(0.01);
      expect(d).toBeLessThan(0.5);
      const store = makeStore();
      const inside = withSemanticCache(
        retriever,
        createSemanticCache({ embedder, store, maxDistance: d + 0.005 }),
      );
      const outside = withSemanticCache(
        retriever,
        createSemanticCache({ embedder, store, maxDistance: d - 0.005 }),
      );
      const first = await inside.retrieve(q1, { k: 3 });
      expect(first.info?.cache).toBe("semantic-miss");
      const hit = await inside.retrieve(q2, { k: 3 });
      expect(hit.info).toMatchObject({ cache: "semantic-hit", cachedQuery: q1 });
      expect(hit.info?.cacheDistance as number).toBeCloseTo(d, 4);
      expect(hit.documents).toEqual(first.documents.map(({ ...doc }) => doc));
      expect((await outside.retrieve(q2, { k: 3 })).info?.cache).toBe("semantic-miss");
      expect((await inside.retrieve(unrelated, { k: 3 })).info?.cache).toBe("semantic-miss");
    });

    it("never shares entries across filters (tenants) or k", async () => {
      const cache = createSemanticCache({
        embedder: withCache(counted),
        store: makeStore(),
        maxDistance: 0.3,
      });
      const r = withSemanticCache(retriever, cache);
      const a = F.eq("tenant", "a");
      const b = F.eq("tenant", "b");
      expect((await r.retrieve(q1, { k: 3, filter: a })).info?.cache).toBe("semantic-miss");
      expect((await r.retrieve(q1, { k: 3, filter: a })).info?.cache).toBe("semantic-hit");
      const other = await r.retrieve(q1, { k: 3, filter: b });
      expect(other.info?.cache).toBe("semantic-miss");
      expect(other.documents.every((doc) => doc.metadata.tenant === "b")).toBe(true);
      expect((await r.retrieve(q1, { k: 5, filter: a })).info?.cache).toBe("semantic-miss");
    });

    it("checks the time to live on every hit and invalidates by tag and namespace", async () => {
      const events = createEventBus();
      const evictions: RagloomEventMap["cache:evict"][] = [];
      events.on("cache:evict", (e) => evictions.push(e));
      const cache = createSemanticCache({
        embedder: withCache(counted),
        store: makeStore(),
        ttlMs: 250,
        events,
      });
      const r = withSemanticCache(retriever, cache, { tags: ["scifact"], namespace: "app1" });
      await r.retrieve(q1);
      expect((await r.retrieve(q1)).info?.cache).toBe("semantic-hit");
      await sleep(300);
      expect((await r.retrieve(q1)).info?.cache).toBe("semantic-miss");
      expect(evictions).toContainEqual({ cache: "semantic", reason: "expire", count: 1 });
      expect((await r.retrieve(q1)).info?.cache).toBe("semantic-hit");
      expect(await cache.invalidate({ tag: "scifact" })).toBe(1);
      expect((await r.retrieve(q1)).info?.cache).toBe("semantic-miss");
      expect(await cache.invalidate({ namespace: "app1" })).toBe(1);
      expect((await r.retrieve(q1)).info?.cache).toBe("semantic-miss");
      expect(cache.stats()).toMatchObject({ hits: 2, misses: 4, expired: 1 });
    });
  });

semanticSuite("in-memory", () => createMemorySemanticStore());
let n = 0;
semanticSuite("Redis", () => createRedisSemanticStore({ client, prefix: `sem${n++}` }));

describe("Redis semantic store bounds", () => {
  it("keeps at most maxEntriesPerScope entries per scope, dropping the oldest", async () => {
    const store = createRedisSemanticStore({ client, prefix: "semcap", maxEntriesPerScope: 3 });
    const cache = createSemanticCache({ embedder: withCache(counted), store, maxDistance: 0.05 });
    const result = { documents: [], timings: {} };
    for (const q of ["alpha", "beta", "gamma", "delta", "epsilon"]) {
      await cache.store(q, result);
      await sleep(5); // distinct expiry times
    }
    await cache.lookup("zeta");
    const [vKey] = await client.keys("semcap:v:*");
    expect(await client.hlen(vKey!)).toBe(3);
    const [dKey] = await client.keys("semcap:d:*");
    expect(await client.hlen(dKey!)).toBe(3);
    expect((await cache.lookup("alpha")).hit).toBeUndefined(); // the oldest went first
    expect((await cache.lookup("epsilon")).hit?.query).toBe("epsilon");
  });
});

describe("query frequency tracking and cache warming (Redis sorted sets)", () => {
  it("returns the top queries and pre-computes them into the result cache", async () => {
    const tracker = createRedisQueryTracker({ client, key: "freq", windowMs: 60_000, bucketMs: 10_000 });
    const cached = withResultCache(retriever, { ttlMs: 60_000 });
    const tracked = withQueryTracking(cached, tracker);
    const asked = ["white matter", "Vitamin D", "white  matter", "cancer", "WHITE MATTER", "vitamin d"];
    for (const q of asked) await tracked.retrieve(q, { k: 2 });
    await sleep(50); // recording is fire-and-forget
    expect(await tracker.topQueries(2)).toEqual([
      { query: "white matter", count: 3 },
      { query: "vitamin d", count: 2 },
    ]);
    const key = tracker.keys()[0]!;
    const ttl = await client.pttl(key);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(70_000);

    const fresh = withResultCache(retriever, { ttlMs: 60_000 });
    const warmed = await warmCache({ retriever: fresh, tracker, n: 2, k: 2 });
    expect(warmed).toEqual({ warmed: 2, failed: [] });
    // the tracker counts spellings as one query and warms its normalised form
    expect((await fresh.retrieve("white matter", { k: 2 })).info?.cache).toBe("hit");
    expect((await fresh.retrieve("cancer", { k: 2 })).info?.cache).toBe("miss");
  });
});
