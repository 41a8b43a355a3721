import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startChroma, stopAllServices } from "../../../../test/services.js";
import { createChromaVectorStore } from "../../src/chroma.js";
import {
  CircuitOpenError,
  createEventBus,
  createHealthCheck,
  createRetriever,
  type Document,
  InMemoryVectorStore,
  isRetryableError,
  type RagloomEventMap,
  withResilience,
} from "../../src/index.js";
import { createHashingEmbedder } from "./hashing-embedder.js";

let chroma: ServiceHandle;
beforeAll(async () => {
  chroma = await startChroma();
});
afterAll(stopAllServices);

const N = 3000;
const docs: Document[] = Array.from({ length: N }, (_, i) => ({
  id: `doc-${i}`,
  text: `Chunk ${i} about topic ${i % 17} and subject ${i % 29}: retrieval caches resilience breaker number ${i}`,
  metadata: { topic: i % 17 },
}));

describe("Chroma behind withResilience (real Chroma server, stopped and restarted)", () => {
  it("completes an ingest of 3,000 chunks across a Chroma restart: exact count, no duplicates", async () => {
    const events = createEventBus();
    const seen: string[] = [];
    for (const name of ["retry", "breaker:open", "breaker:half-open", "breaker:close"] as const) {
      events.on(name, () => seen.push(name));
    }
    const inner = await createChromaVectorStore({
      url: chroma.url,
      collection: "ingest_restart",
      dimensions: 64,
    });
    const store = withResilience(inner, {
      events,
      timeoutMs: 5000,
      breaker: { resetTimeoutMs: 500 },
      // an ingest job waits out the restart: many retries, and an open breaker is worth waiting for
      writeRetry: {
        retries: 30,
        minTimeoutMs: 100,
        maxTimeoutMs: 500,
        shouldRetry: (e) => e instanceof CircuitOpenError || isRetryableError(e),
      },
    });
    const retriever = createRetriever({
      embedder: createHashingEmbedder(64),
      store,
      splitter: false,
      batchSize: 100,
      events,
    });
    let restarted: Promise<void> | undefined;
    const progress: number[] = [];
    events.on("ingest:progress", ({ done }) => {
      progress.push(done);
      if (done === 1000 && !restarted) {
        // stop Chroma in the middle of the ingest, bring it back 1.5 s later (same port and data dir)
        restarted = chroma.stop().then(async () => {
          await new Promise((r) => setTimeout(r, 1500));
          await chroma.restart();
        });
      }
    });
    const { chunks } = await retriever.add(docs);
    await restarted;
    expect(chunks).toBe(N);
    expect(progress.at(-1)).toBe(N);
    expect(await store.count()).toBe(N);
    // the outage was real: writes failed and were retried (with ~35 % of the window's calls
    // failing, the breaker's 50 % threshold may or may not trip; the query test covers it)
    expect(seen.filter((s) => s === "retry").length).toBeGreaterThan(2);
    expect(store.breaker?.state).toBe("closed");
    const wanted = ["doc-0", "doc-1000", "doc-1500", "doc-2999", "doc-999"];
    const sample = await inner.collection.get({
      where: { parentId: { $in: wanted } },
      include: ["metadatas"],
    });
    expect(sample.metadatas.map((m) => String(m?.parentId)).sort()).toEqual(wanted);
    // re-ingesting the same ids stays idempotent
    await retriever.add(docs.slice(0, 200));
    expect(await store.count()).toBe(N);
  }, 120_000);

  it("fails fast with CircuitOpenError while Chroma is down, serves a fallback store, reports health", async () => {
    const embedder = createHashingEmbedder(64);
    const inner = await createChromaVectorStore({
      url: chroma.url,
      collection: "breaker_query",
      dimensions: 64,
    });
    const events = createEventBus();
    const log: Array<{ name: string; payload: unknown }> = [];
    for (const name of ["breaker:open", "breaker:reject", "fallback", "breaker:close"] as const) {
      events.on(name, (payload: RagloomEventMap[typeof name]) => log.push({ name, payload }));
    }
    const store = withResilience(inner, {
      events,
      timeoutMs: 1000,
      retry: { retries: 1, minTimeoutMs: 20, maxTimeoutMs: 40 },
      breaker: { resetTimeoutMs: 800 },
    });
    const records = docs.slice(0, 50).map((d) => ({ ...d, vector: [] as number[] }));
    const vectors = await embedder.embedDocuments(records.map((r) => r.text));
    await store.upsert(records.map((r, i) => ({ ...r, vector: vectors[i]! })));
    const q = await embedder.embedQuery("topic 3 subject 5");
    expect(await store.query(q, { k: 3 })).toHaveLength(3);

    const health = createHealthCheck({
      dependencies: { chroma: { check: (signal) => inner.ping({ signal }), breaker: store.breaker } },
      timeoutMs: 1000,
    });
    expect((await health.readiness()).status).toBe("up");

    await chroma.stop();
    const errors: unknown[] = [];
    for (let i = 0; i < 8; i++) errors.push(await store.query(q, { k: 3 }).catch((e: unknown) => e));
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    expect(errors.at(-1)).toBeInstanceOf(CircuitOpenError);
    expect(store.breaker?.state).toBe("open");
    expect(log.some((l) => l.name === "breaker:open")).toBe(true);
    // open breaker: rejected without a network call, in well under a millisecond-scale timeout
    const t0 = performance.now();
    await expect(store.query(q, { k: 3 })).rejects.toBeInstanceOf(CircuitOpenError);
    expect(performance.now() - t0).toBeLessThan(50);

    const report = await health.readiness();
    expect(report.status).toBe("down");
    expect(report.dependencies.chroma).toMatchObject({ status: "down", critical: true, breaker: "open" });

    // the same breaker, with a fallback store: reads are answered by it and an event says so
    const fallback = new InMemoryVectorStore({ dimensions: 64 });
    await fallback.upsert(records.slice(0, 10).map((r, i) => ({ ...r, vector: vectors[i]! })));
    const withFallback = withResilience(inner, { events, breaker: store.breaker!, fallback, retry: false });
    const hits = await withFallback.query(q, { k: 3 });
    expect(hits).toHaveLength(3);
    expect(
      log.some((l) => l.name === "fallback" && (l.payload as { fallback: string }).fallback === "in-memory"),
    ).toBe(true);

    await chroma.restart();
    await new Promise((r) => setTimeout(r, 900)); // past resetTimeoutMs: half-open
    expect(await store.query(q, { k: 3 })).toHaveLength(3);
    expect(store.breaker?.state).toBe("closed");
    expect(log.at(-1)?.name).toBe("breaker:close");
    expect((await health.readiness()).status).toBe("up");
  }, 60_000);
});
