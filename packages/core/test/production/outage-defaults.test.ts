/**
 * Outages with DEFAULT settings (no hand-tuned retries or breakers): a Chroma server killed and
 * restarted during an ingest, a Redis server killed and restarted empty under a query load, and
 * authentication failures, which must neither be retried nor open a breaker. Real servers; the
 * only fake is a proxy that answers HTTP 401, which a Chroma server will not do on demand.
 */
import { createServer, type Server } from "node:http";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startChroma, startRedis, stopAllServices } from "../../../../test/services.js";
import { createChromaVectorStore } from "../../src/chroma.js";
import {
  createEventBus,
  createRetriever,
  type Document,
  IngestError,
  InMemoryVectorStore,
  type RagloomEventMap,
  type RetrievalResult,
  resultCodec,
  type VectorStore,
  withResilience,
  withResultCache,
} from "../../src/index.js";
import { createRedisBreaker, createRedisCacheStore, createRedisClient } from "../../src/redis.js";
import { createHashingEmbedder } from "./hashing-embedder.js";

let chroma: ServiceHandle;
let redis: ServiceHandle;
beforeAll(async () => {
  [chroma, redis] = await Promise.all([startChroma(), startRedis()]);
});
afterAll(stopAllServices);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const corpus = (n: number, prefix = "doc"): Document[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    text: `Chunk ${i} about topic ${i % 17} and subject ${i % 29}: retrieval caches resilience number ${i}`,
    metadata: { topic: i % 17 },
  }));

/** Chunks per source document in a store, read back by scanning it. */
async function chunksPerDocument(store: VectorStore): Promise<Map<string, number>> {
  const perDoc = new Map<string, number>();
  for await (const page of store.scan!({ pageSize: 500 })) {
    for (const d of page) {
      const parent = String(d.metadata.parentId ?? d.id);
      perDoc.set(parent, (perDoc.get(parent) ?? 0) + 1);
    }
  }
  return perDoc;
}

describe("Chroma killed and restarted during an ingest (default withResilience)", () => {
  it("completes the ingest: every document exactly once; reads during the outage fail fast", async () => {
    const N = 3000;
    const docs = corpus(N);
    const events = createEventBus();
    const inner = await createChromaVectorStore({
      url: chroma.url,
      collection: "defaults_ingest",
      dimensions: 64,
    });
    const store = withResilience(inner, { events });
    const retriever = createRetriever({
      embedder: createHashingEmbedder(64),
      store,
      splitter: false,
      events,
    });
    let retries = 0;
    events.on("retry", () => retries++);

    let outage: Promise<void> | undefined;
    let readDuringOutage: Promise<{ error: unknown; whileDown: boolean }> | undefined;
    let down = false;
    events.on("ingest:progress", ({ done }) => {
      if (done < 1000 || outage) return;
      outage = (async () => {
        await chroma.stop();
        down = true;
        // a read while Chroma is down: it must not wait for the store to return
        readDuringOutage = store.query(new Float32Array(64).fill(0.125), { k: 3 }).then(
          () => ({ error: undefined, whileDown: down }),
          (error: unknown) => ({ error, whileDown: down }),
        );
        await sleep(1000);
        await chroma.restart(); // ~5-7 s to come back on this machine
        down = false;
      })();
    });
    await retriever.add(docs);
    await outage;
    expect(outage).toBeDefined();
    expect(retries).toBeGreaterThan(0); // the outage was felt
    const read = await readDuringOutage!;
    expect(read.error).toBeInstanceOf(Error);
    expect(read.whileDown).toBe(true);

    const perDoc = await chunksPerDocument(inner);
    const missing = docs.filter((d) => !perDoc.has(d.id)).length;
    const duplicated = [...perDoc.values()].filter((n) => n > 1).length;
    expect({ missing, duplicated, documents: perDoc.size }).toEqual({
      missing: 0,
      duplicated: 0,
      documents: N,
    });
    expect(await store.count()).toBe(N);
    expect(store.breaker?.state).not.toBe("open");
  }, 180_000);
});

describe("withResilience read policies while Chroma restarts (defaults)", () => {
  it("reads fail fast; reads of the forWrites view wait for the store like writes; scan passes through", async () => {
    const inner = await createChromaVectorStore({
      url: chroma.url,
      collection: "defaults_views",
      dimensions: 64,
    });
    const store = withResilience(inner);
    const embedder = createHashingEmbedder(64);
    const docs = corpus(30, "view");
    const vectors = await embedder.embedDocuments(docs.map((d) => d.text));
    await store.upsert(docs.map((d, i) => ({ ...d, vector: vectors[i]! })));
    let pages = 0;
    for await (const page of store.scan!({ pageSize: 10 })) pages += page.length > 0 ? 1 : 0;
    expect(pages).toBe(3);

    await chroma.stop();
    let down = true;
    const restarted = sleep(1500)
      .then(() => chroma.restart())
      .then(() => {
        down = false;
      });
    const fast = await store.get(["view-1"]).then(
      () => "resolved",
      () => (down ? "rejected while down" : "rejected after restart"),
    );
    expect(fast).toBe("rejected while down");
    const patient = await store.forWrites.get(["view-1", "view-2"]);
    expect(down).toBe(false);
    expect(patient.map((r) => r.id).sort()).toEqual(["view-1", "view-2"]);
    await restarted;
  }, 90_000);
});

describe("an ingest that outlives the write deadline", () => {
  it("rejects with IngestError; calling add again once Chroma is back writes only the rest", async () => {
    const N = 1500;
    const docs = corpus(N, "resume");
    const events = createEventBus();
    const inner = await createChromaVectorStore({
      url: chroma.url,
      collection: "defaults_resume",
      dimensions: 64,
    });
    // a short deadline, so that the outage outlasts it
    const store = withResilience(inner, { events, writeDeadlineMs: 1000 });
    const retriever = createRetriever({
      embedder: createHashingEmbedder(64),
      store,
      splitter: false,
      events,
    });
    let stopped: Promise<void> | undefined;
    events.on("ingest:progress", ({ done }) => {
      if (done >= 500 && !stopped) stopped = chroma.stop();
    });
    const error = await retriever.add(docs).catch((e: unknown) => e);
    await stopped;
    expect(error).toBeInstanceOf(IngestError);
    const { written, failed } = error as IngestError;
    expect(written.length).toBeGreaterThanOrEqual(500);
    expect(written.length + failed.length).toBe(N);

    await chroma.restart();
    const result = await retriever.add(docs);
    expect(new Set(result.unchanged)).toEqual(new Set(written));
    expect(new Set(result.written)).toEqual(new Set(failed));
    const perDoc = await chunksPerDocument(inner);
    expect(perDoc.size).toBe(N);
    expect([...perDoc.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);
});

describe("Redis killed and restarted empty under a query load (default Redis breaker and client)", () => {
  it("answers every query, and caching resumes within seconds of Redis coming back", async () => {
    const events = createEventBus();
    const log: string[] = [];
    for (const name of ["breaker:open", "breaker:close"] as const) events.on(name, () => log.push(name));
    const client: Redis = await createRedisClient(redis.url);
    const breaker = createRedisBreaker({ events });
    const retriever = createRetriever({
      embedder: createHashingEmbedder(64),
      store: new InMemoryVectorStore({ dimensions: 64 }),
      splitter: false,
    });
    await retriever.add(corpus(200));
    // L1 off: every query asks Redis, so the outage and the recovery are felt at once
    const cached = withResultCache(retriever, {
      l1: false,
      l2: createRedisCacheStore({ client, codec: resultCodec, breaker, events }),
      events,
    });
    const queries = Array.from({ length: 10 }, (_, i) => `topic ${i} subject ${i + 3}`);
    const results: RetrievalResult[] = [];
    let failed = 0;
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          results.push(await cached.retrieve(queries[i % queries.length]!, { k: 5 }));
        } catch {
          failed++;
        }
        await sleep(20);
      }
    })();
    await sleep(1000);
    expect(results.some((r) => r.info?.cacheLayer === "l2")).toBe(true);
    await redis.stop();
    await sleep(6000);
    expect(log).toContain("breaker:open");
    await redis.restart(); // empty: no persistence
    const back = performance.now();
    const resumedBy = results.length;
    let resumedAfterMs: number | undefined;
    while (performance.now() - back < 15_000) {
      if (results.slice(resumedBy).some((r) => r.info?.cacheLayer === "l2")) {
        resumedAfterMs = performance.now() - back;
        break;
      }
      await sleep(50);
    }
    stop = true;
    await load;
    expect(failed).toBe(0);
    expect(results.every((r) => r.documents.length === 5)).toBe(true);
    // the old 60 s reset kept caching off for a minute; now it is back within a few seconds
    expect(resumedAfterMs).toBeDefined();
    expect(resumedAfterMs!).toBeLessThan(10_000);
    expect(breaker.state).toBe("closed");
    breaker.shutdown();
    client.disconnect();
  }, 90_000);
});

describe("authentication failures are not retried and do not open breakers", () => {
  it("Redis NOPERM (an ACL user without access to the cache's keys): no retry, the breaker stays closed", async () => {
    const admin = await createRedisClient(redis.url);
    await admin.acl("SETUSER", "cache", "on", ">pw-for-cache", "~other:*", "+@all");
    admin.disconnect();
    const client = await createRedisClient(redis.url.replace("redis://", "redis://cache:pw-for-cache@"));
    const events = createEventBus();
    const seen: Array<keyof RagloomEventMap> = [];
    for (const name of ["retry", "breaker:open", "cache:error"] as const)
      events.on(name, () => seen.push(name));
    const breaker = createRedisBreaker({ events });
    const retriever = createRetriever({
      embedder: createHashingEmbedder(16),
      store: new InMemoryVectorStore({ dimensions: 16 }),
      splitter: false,
    });
    await retriever.add(corpus(20));
    const cached = withResultCache(retriever, {
      l1: false,
      l2: createRedisCacheStore({ client, codec: resultCodec, breaker, events }),
      events,
    });
    for (let i = 0; i < 12; i++)
      expect((await cached.retrieve(`topic ${i}`, { k: 2 })).documents).toHaveLength(2);
    expect(seen.filter((s) => s === "cache:error").length).toBeGreaterThanOrEqual(12);
    expect(seen).not.toContain("retry");
    expect(seen).not.toContain("breaker:open");
    expect(breaker.state).toBe("closed");
    breaker.shutdown();
    client.disconnect();
  });

  it("Chroma HTTP 401 / 403: one request per call, no retry, the breaker stays closed", async () => {
    // a reverse proxy in front of the real server that refuses writes as an auth layer would
    let requests = 0;
    let status = 401;
    const proxy: Server = createServer(async (req, res) => {
      const body: Buffer[] = [];
      for await (const c of req) body.push(c as Buffer);
      if (req.method === "GET") {
        const upstream = await fetch(`${chroma.url}${req.url}`, { headers: { accept: "application/json" } });
        res.writeHead(upstream.status, { "content-type": "application/json" });
        res.end(Buffer.from(await upstream.arrayBuffer()));
        return;
      }
      if (req.method === "POST" && /\/collections$/.test(req.url ?? "")) {
        const upstream = await fetch(`${chroma.url}${req.url}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Buffer.concat(body),
        });
        res.writeHead(upstream.status, { "content-type": "application/json" });
        res.end(Buffer.from(await upstream.arrayBuffer()));
        return;
      }
      requests++;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "Unauthorized" }));
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const events = createEventBus();
      const seen: string[] = [];
      for (const name of ["retry", "breaker:open"] as const) events.on(name, () => seen.push(name));
      const inner = await createChromaVectorStore({ url, collection: "auth_denied", dimensions: 8 });
      const store = withResilience(inner, { events });
      const record = { id: "x", text: "x", metadata: {}, vector: new Float32Array(8).fill(0.5) };
      for (const s of [401, 403]) {
        status = s;
        for (let i = 0; i < 6; i++) {
          const before = requests;
          await expect(store.upsert([record])).rejects.toBeInstanceOf(Error);
          await expect(store.query(record.vector, { k: 1 })).rejects.toBeInstanceOf(Error);
          expect(requests - before).toBe(2);
        }
      }
      expect(seen).toEqual([]);
      expect(store.breaker?.state).toBe("closed");
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  }, 60_000);
});
