/**
 * What a shared Redis cache must never do: answer one retriever with another one's documents,
 * answer a case-sensitive retriever across case, serve an entry nobody with the signing key wrote,
 * or fail forever on a corrupted vector. Real Redis and Chroma; embeddings by feature hashing
 * (cheap) or the real all-MiniLM-L6-v2 where the model matters.
 */
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requireModelDir,
  type ServiceHandle,
  startChroma,
  startRedis,
  stopAllServices,
} from "../../../../test/services.js";
import { createChromaVectorStore } from "../../src/chroma.js";
import {
  BM25Index,
  type CacheEntryError,
  createEmbeddingCache,
  createEventBus,
  createRetriever,
  createSemanticCache,
  DimensionMismatchError,
  type Document,
  float32Codec,
  InMemoryVectorStore,
  type RagloomEventMap,
  type RetrievalResult,
  type Retriever,
  resultCodec,
  withCache,
  withResultCache,
  withSemanticCache,
} from "../../src/index.js";
import { createRedisCacheStore, createRedisClient, createRedisSemanticStore } from "../../src/redis.js";
import { createTransformersEmbedder } from "../../src/transformers.js";
import { createHashingEmbedder } from "./hashing-embedder.js";

let redis: ServiceHandle;
let chroma: ServiceHandle;
let client: Redis;
beforeAll(async () => {
  [redis, chroma] = await Promise.all([startRedis(), startChroma()]);
  client = await createRedisClient(redis.url);
});
afterAll(async () => {
  client?.disconnect();
  await stopAllServices();
});

const confidential: Document = {
  id: "board-minutes",
  text: "Confidential: the merger plan with Acme closes in March",
  metadata: { tenant: "a" },
};
const tenantA: Document[] = [
  confidential,
  { id: "a-2", text: "Quarterly revenue grew four percent", metadata: { tenant: "a" } },
  { id: "a-3", text: "The cafeteria menu changes on Monday", metadata: { tenant: "a" } },
];
const tenantB: Document[] = [
  { id: "b-1", text: "Public press release about a merger of two bakeries", metadata: { tenant: "b" } },
  { id: "b-2", text: "Opening hours of the plan office", metadata: { tenant: "b" } },
  { id: "b-3", text: "Weather report for March", metadata: { tenant: "b" } },
];

/** Two retrievers over two Chroma collections, each with its own documents, indexed the same way. */
async function twoTenants(prefix: string) {
  const embedder = createHashingEmbedder(64);
  const make = async (collection: string, docs: Document[]) => {
    const store = await createChromaVectorStore({ url: chroma.url, collection, dimensions: 64 });
    const retriever = createRetriever({ embedder, store, splitter: false });
    await retriever.add(docs);
    return retriever;
  };
  return { a: await make(`${prefix}_a`, tenantA), b: await make(`${prefix}_b`, tenantB) };
}

const ids = (r: RetrievalResult) => r.documents.map((d) => String(d.metadata.parentId ?? d.id));

describe("result cache isolation (shared Redis, default options)", () => {
  it("never answers a retriever over another store with the first one's documents", async () => {
    const { a, b } = await twoTenants("iso");
    const l2 = createRedisCacheStore({ client, codec: resultCodec, prefix: "iso" });
    const cachedA = withResultCache(a, { l2 });
    const cachedB = withResultCache(b, { l2 });
    const q = "merger plan March";
    const fromA = await cachedA.retrieve(q, { k: 3 });
    expect(ids(fromA)).toContain("board-minutes");
    const fromB = await cachedB.retrieve(q, { k: 3 });
    expect(fromB.info?.cache).toBe("miss");
    expect(ids(fromB)).not.toContain("board-minutes");
    expect(ids(fromB).every((id) => id.startsWith("b-"))).toBe(true);
    // each still hits its own entry
    expect((await cachedA.retrieve(q, { k: 3 })).info?.cache).toBe("hit");
    expect(ids(await cachedB.retrieve(q, { k: 3 }))).toEqual(ids(fromB));
  });

  it("gives retrievers without a fingerprint a random scope, and shares only under an explicit one", async () => {
    const { a, b } = await twoTenants("iso2");
    // plain retrievers (e.g. a composition of others) have no fingerprint
    const plainA: Retriever = { retrieve: (q, o) => a.retrieve(q, o) };
    const plainB: Retriever = { retrieve: (q, o) => b.retrieve(q, o) };
    const l2 = createRedisCacheStore({ client, codec: resultCodec, prefix: "iso2" });
    const q = "merger plan March";
    await withResultCache(plainA, { l2 }).retrieve(q, { k: 3 });
    const other = await withResultCache(plainB, { l2 }).retrieve(q, { k: 3 });
    expect(other.info?.cache).toBe("miss");
    expect(ids(other)).not.toContain("board-minutes");
    // even the same retriever in a second wrapper (a second process) does not share by default
    expect((await withResultCache(plainA, { l2 }).retrieve(q, { k: 3 })).info?.cache).toBe("miss");
    // deliberate sharing across processes: the same scope and the same version
    const process1 = withResultCache(plainA, { l2, scope: "tenant-a", version: () => "v7" });
    const process2 = withResultCache(plainA, { l2, scope: "tenant-a", version: () => "v7" });
    const first = await process1.retrieve(q, { k: 3 });
    expect(first.info?.cache).toBe("miss");
    const shared = await process2.retrieve(q, { k: 3 });
    expect(shared.info).toMatchObject({ cache: "hit", cacheLayer: "l2" });
    expect(ids(shared)).toEqual(ids(first));
    // another scope in the same namespace is not shared, and invalidating one scope keeps the other
    const tenantBCache = withResultCache(plainB, { l2, scope: "tenant-b", version: () => "v7" });
    await tenantBCache.retrieve(q, { k: 3 });
    await process1.invalidate();
    expect((await tenantBCache.retrieve(q, { k: 3 })).info).toMatchObject({ cache: "hit" });
    expect((await process2.retrieve(q, { k: 3 })).info).toMatchObject({ cache: "hit", cacheLayer: "l1" });
    const process3 = withResultCache(plainA, { l2, scope: "tenant-a", version: () => "v7" });
    expect((await process3.retrieve(q, { k: 3 })).info?.cache).toBe("miss");
  });
});

describe("deliberate sharing across processes", () => {
  it("two processes over one Chroma collection with one configuration share entries under a shared version", async () => {
    const embedder = createHashingEmbedder(64);
    const open = async () =>
      createRetriever({
        embedder,
        store: await createChromaVectorStore({ url: chroma.url, collection: "shared_docs", dimensions: 64 }),
        splitter: false,
      });
    const writer = await open();
    await writer.add(tenantB);
    const reader = await open(); // another process: same collection, same settings, nothing added
    expect(reader.fingerprint).toBe(writer.fingerprint);
    const l2 = createRedisCacheStore({ client, codec: resultCodec, prefix: "share" });
    const version = () => "index-2024-06-01"; // e.g. kept in Redis by whoever re-indexes
    const q = "merger of two bakeries";
    const first = await withResultCache(writer, { l2, version }).retrieve(q, { k: 2 });
    const second = await withResultCache(reader, { l2, version }).retrieve(q, { k: 2 });
    expect(second.info).toMatchObject({ cache: "hit", cacheLayer: "l2" });
    expect(ids(second)).toEqual(ids(first));
    // another configuration (here k) is another fingerprint: not shared
    const other = createRetriever({ embedder, store: reader.store, splitter: false, k: 5 });
    expect((await withResultCache(other, { l2, version }).retrieve(q, { k: 2 })).info?.cache).toBe("miss");
  });
});

describe("semantic cache isolation (shared Redis store, default namespace)", () => {
  it("never answers a retriever over another store with the first one's documents", async () => {
    const { a, b } = await twoTenants("sem_iso");
    const store = createRedisSemanticStore({ client, prefix: "semiso" });
    const cache = createSemanticCache({ embedder: createHashingEmbedder(64), store });
    const q = "merger plan March";
    const fromA = await withSemanticCache(a, cache).retrieve(q, { k: 3 });
    expect(ids(fromA)).toContain("board-minutes");
    const fromB = await withSemanticCache(b, cache).retrieve(q, { k: 3 });
    expect(fromB.info?.cache).toBe("semantic-miss");
    expect(ids(fromB)).not.toContain("board-minutes");
  });
});

describe("result cache query normalisation", () => {
  it("keys case apart on a case-sensitive retriever, but not surrounding or repeated whitespace", async () => {
    // a BM25 analyzer that keeps case: "US" (the country) and "us" (the pronoun) are other terms
    const lexical = new BM25Index({ tokenizer: (t) => t.split(/\s+/).filter(Boolean) });
    const retriever = createRetriever({
      embedder: createHashingEmbedder(16),
      store: new InMemoryVectorStore({ dimensions: 16 }),
      lexical,
      mode: "lexical",
      splitter: false,
    });
    await retriever.add([
      { id: "country", text: "US trade policy and tariffs", metadata: {} },
      { id: "pronoun", text: "tell us about your day", metadata: {} },
    ]);
    const l2 = createRedisCacheStore({ client, codec: resultCodec, prefix: "case" });
    const cached = withResultCache(retriever, { l2 });
    const upper = await cached.retrieve("US", { k: 1 });
    expect(ids(upper)).toEqual(["country"]);
    const lower = await cached.retrieve("us", { k: 1 });
    expect(lower.info?.cache).toBe("miss");
    expect(ids(lower)).toEqual(ids(await retriever.retrieve("us", { k: 1 })));
    expect(ids(lower)).toEqual(["pronoun"]);
    expect((await cached.retrieve("  US \t", { k: 1 })).info?.cache).toBe("hit");
    // a retriever that folds case itself may say so
    const folding = withResultCache(retriever, {
      l2,
      scope: "folded",
      normalizeQuery: (q) => q.trim().toLowerCase(),
    });
    await folding.retrieve("us", { k: 1 });
    expect((await folding.retrieve("US", { k: 1 })).info?.cache).toBe("hit");
  });
});

describe("signed entries (signingKey)", () => {
  const key = "0123456789abcdef0123456789abcdef-test-key";

  it("serves only entries written with the key: forged and moved ones are misses, reported and deleted", async () => {
    const { a } = await twoTenants("signed");
    const events = createEventBus();
    const errors: RagloomEventMap["cache:error"][] = [];
    events.on("cache:error", (e) => errors.push(e));
    const l2 = createRedisCacheStore({ client, codec: resultCodec, prefix: "sig", signingKey: key });
    const q = "merger plan March";
    const writer = withResultCache(a, { l2, l1: false, events });
    const honest = await writer.retrieve(q, { k: 3 });
    expect((await writer.retrieve(q, { k: 3 })).info).toMatchObject({ cache: "hit", cacheLayer: "l2" });
    const [entryKey] = await client.keys("sig:res:*");
    expect(entryKey).toBeDefined();

    // someone with Redis access but without the key writes a result of their own
    const forged: RetrievalResult = {
      documents: [{ id: "phish", text: "Reset your password at evil.example", metadata: {}, score: 1 }],
      timings: {},
    };
    await client.set(entryKey!, resultCodec.encode(forged));
    const afterForgery = await writer.retrieve(q, { k: 3 });
    expect(afterForgery.info?.cache).toBe("miss");
    expect(ids(afterForgery)).toEqual(ids(honest));
    expect(errors.at(-1)).toMatchObject({ cache: "result", layer: "l2" });
    expect((errors.at(-1)!.error as CacheEntryError).reason).toBe("signature");
    // the forged entry was replaced by a signed one
    expect((await writer.retrieve(q, { k: 3 })).info).toMatchObject({ cache: "hit", cacheLayer: "l2" });

    // a validly signed entry copied under another key is rejected too
    const other = await writer.retrieve("cafeteria menu", { k: 3 });
    expect(other.info?.cache).toBe("miss");
    const keys = await client.keys("sig:res:*");
    const otherKey = keys.find((k) => k !== entryKey)!;
    await client.set(entryKey!, (await client.getBuffer(otherKey))!);
    const afterMove = await writer.retrieve(q, { k: 3 });
    expect(afterMove.info?.cache).toBe("miss");
    expect(ids(afterMove)).toEqual(ids(honest));

    // a reader with another key (or none) treats signed entries as it must: not its own
    const unsigned = createRedisCacheStore({ client, codec: resultCodec, prefix: "sig" });
    const reader = withResultCache(a, { l2: unsigned, l1: false });
    expect((await reader.retrieve(q, { k: 3 })).info?.cache).toBe("miss");
    expect(() => createRedisCacheStore({ client, codec: resultCodec, signingKey: "short" })).toThrow(
      /32 bytes/,
    );
  });

  it("signs embedding entries too", async () => {
    const embedder = createHashingEmbedder(32);
    const events = createEventBus();
    const errors: RagloomEventMap["cache:error"][] = [];
    events.on("cache:error", (e) => errors.push(e));
    const l2 = createRedisCacheStore({ client, codec: float32Codec, prefix: "sigemb", signingKey: key });
    const cache = createEmbeddingCache({ l1: false, l2, events });
    const cached = withCache(embedder, cache);
    const truth = await embedder.embedQuery("vitamin d");
    await cached.embedQuery("vitamin d");
    const calls = embedder.calls;
    await cached.embedQuery("vitamin d");
    expect(embedder.calls).toBe(calls); // hit
    await client.set(
      `sigemb:${cache.key(embedder.modelId, "query", "vitamin d")}`,
      float32Codec.encode(new Float32Array(32).fill(0.1)),
    );
    expect(Array.from(await cached.embedQuery("vitamin d"))).toEqual(Array.from(truth));
    expect(embedder.calls).toBe(calls + 1);
    expect((errors.at(-1)!.error as CacheEntryError).reason).toBe("signature");
  });
});

describe("signed semantic-cache entries", () => {
  it("skips, deletes and reports an entry written without the key", async () => {
    const events = createEventBus();
    const errors: RagloomEventMap["cache:error"][] = [];
    events.on("cache:error", (e) => errors.push(e));
    const signingKey = "another-32-byte-or-longer-signing-secret";
    const embedder = createHashingEmbedder(64);
    const signed = createSemanticCache({
      embedder,
      store: createRedisSemanticStore({ client, prefix: "semsig", signingKey, events }),
      events,
    });
    const result: RetrievalResult = {
      documents: [{ id: "ok", text: "t", metadata: {}, score: 1 }],
      timings: {},
    };
    await signed.store("vitamin d and fractures", result);
    expect((await signed.lookup("vitamin d and fractures")).hit?.result.documents[0]?.id).toBe("ok");
    // a writer without the key adds an entry for the same scope
    const forger = createSemanticCache({
      embedder,
      store: createRedisSemanticStore({ client, prefix: "semsig" }),
    });
    await forger.store("vitamin d and fractures!", {
      documents: [{ id: "forged", text: "t", metadata: {}, score: 1 }],
      timings: {},
    });
    const fresh = createSemanticCache({
      embedder,
      store: createRedisSemanticStore({ client, prefix: "semsig", signingKey, events }),
      events,
    });
    const { hit } = await fresh.lookup("vitamin d and fractures!");
    expect(hit?.result.documents[0]?.id).toBe("ok");
    expect(errors.some((e) => (e.error as CacheEntryError).reason === "signature")).toBe(true);
    const [vKey] = await client.keys("semsig:v:*");
    expect(await client.hlen(vKey!)).toBe(1);
  });
});

describe("embedding cache integrity and expiry", () => {
  it("treats a corrupted or wrong-length vector as a miss: deletes it, reports it, embeds again", async () => {
    const embedder = createHashingEmbedder(64);
    const events = createEventBus();
    const errors: RagloomEventMap["cache:error"][] = [];
    events.on("cache:error", (e) => errors.push(e));
    const l2 = createRedisCacheStore({ client, codec: float32Codec, prefix: "corrupt" });
    const cache = createEmbeddingCache({ l2, events });
    const store = new InMemoryVectorStore({ dimensions: 64 });
    const retriever = createRetriever({ embedder: withCache(embedder, cache), store, splitter: false });
    await retriever.add(tenantA);
    const q = "merger plan";
    const redisKey = `corrupt:${cache.key(embedder.modelId, "query", q)}`;

    // a vector of 25 floats where 64 belong (another model wrote under this id, or a bad write)
    await client.set(redisKey, Buffer.alloc(100, 1));
    const first = await retriever.retrieve(q, { k: 1 });
    expect(ids(first)).toEqual(["board-minutes"]);
    expect(errors.at(-1)?.error).toBeInstanceOf(DimensionMismatchError);
    // the entry was rewritten with the right vector: the next process reads it from Redis
    expect((await client.getBuffer(redisKey))!.length).toBe(64 * 4);
    const second = createRetriever({
      embedder: withCache(embedder, createEmbeddingCache({ l2, events })),
      store,
      splitter: false,
    });
    const calls = embedder.calls;
    expect(ids(await second.retrieve(q, { k: 1 }))).toEqual(["board-minutes"]);
    expect(embedder.calls).toBe(calls);

    // undecodable bytes (not a whole number of floats) and NaNs
    for (const bad of [
      Buffer.from([1, 2, 3, 4, 5, 6, 7]),
      float32Codec.encode(new Float32Array(64).fill(Number.NaN)),
    ]) {
      await client.set(redisKey, bad);
      const n = errors.length;
      const fresh = withCache(embedder, createEmbeddingCache({ l2, events }));
      expect(Array.from(await fresh.embedQuery(q))).toEqual(Array.from(await embedder.embedQuery(q)));
      expect(errors.length).toBe(n + 1);
      expect((await client.getBuffer(redisKey))!.length).toBe(64 * 4);
    }
  });

  it("expires entries after ttlMs in both levels (7 days by default)", async () => {
    const embedder = createHashingEmbedder(8);
    const l2 = createRedisCacheStore({ client, codec: float32Codec, prefix: "ttl" });
    const short = createEmbeddingCache({ l2, ttlMs: 200 });
    const cached = withCache(embedder, short);
    await cached.embedQuery("alpha");
    const redisKey = `ttl:${short.key(embedder.modelId, "query", "alpha")}`;
    expect(await client.pttl(redisKey)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await client.exists(redisKey)).toBe(0);
    const calls = embedder.calls;
    await cached.embedQuery("alpha"); // L1 expired as well
    expect(embedder.calls).toBe(calls + 1);
    const forever = createEmbeddingCache({ l2, ttlMs: 0 });
    await withCache(embedder, forever).embedQuery("beta");
    expect(await client.pttl(`ttl:${forever.key(embedder.modelId, "query", "beta")}`)).toBe(-1);
  });

  it("never serves int8 vectors to the fp32 model: the dtype is part of the model id", async () => {
    const localModelPath = requireModelDir();
    const [fp32, q8] = await Promise.all([
      createTransformersEmbedder({ localModelPath, offline: true, dtype: "fp32" }),
      createTransformersEmbedder({ localModelPath, offline: true, dtype: "q8" }),
    ]);
    const l2 = createRedisCacheStore({ client, codec: float32Codec, prefix: "dtype" });
    const text = "Vitamin D supplementation reduces the risk of fractures";
    const fromQ8 = await withCache(q8, createEmbeddingCache({ l2 })).embedQuery(text);
    const fromFp32 = await withCache(fp32, createEmbeddingCache({ l2 })).embedQuery(text);
    expect(Array.from(fromFp32)).toEqual(Array.from(await fp32.embedQuery(text)));
    expect(Array.from(fromFp32)).not.toEqual(Array.from(fromQ8));
    await Promise.all([fp32.dispose!(), q8.dispose!()]);
  }, 60_000);
});
