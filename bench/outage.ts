/**
 * Outage benchmark: the production layer's DEFAULT settings against two real faults.
 * - Chroma: a 6,000-chunk ingest through createRetriever + withResilience + ChromaVectorStore; the
 *   server is killed at 2,000 chunks and restarted at once (down while it boots, ~5-8 s here),
 *   while a reader queries every 250 ms. Counts missing and duplicate chunks (by scanning the
 *   collection), failed reads and how fast they failed, and the time from Chroma being back to
 *   the first successful write. A failed ingest is resumed by calling `add` again.
 * - Redis: a query load (4 workers) through withResultCache with the L1 off (every query asks
 *   Redis, as replicas sharing one would), Redis killed and restarted empty 10 s later. Counts
 *   failed queries and the time from Redis being back to the first L2 hit.
 * Each scenario runs with today's defaults and with the previous ones (fixed 60 s breaker reset,
 * 2 write retries, ioredis' default reconnection) for comparison.
 * Run: pnpm exec tsx bench/outage.ts [--embedder hashing|minilm]   (writes bench/results/outage.json)
 */
import { parseArgs } from "node:util";
import {
  type CircuitBreaker,
  createCircuitBreaker,
  createEventBus,
  createRetriever,
  type Document,
  type Embedder,
  InMemoryVectorStore,
  isRetryableError,
  type ResilienceOptions,
  resultCodec,
  withResilience,
  withResultCache,
} from "@ragloom/core";
import { createChromaVectorStore } from "@ragloom/core/chroma";
import { createRedisBreaker, createRedisCacheStore, createRedisClient } from "@ragloom/core/redis";
import { createHashingEmbedder } from "../packages/core/test/production/hashing-embedder.js";
import { startChroma, startRedis, stopAllServices } from "../test/services.js";
import { loadMiniLM } from "./lib/embeddings.js";
import { percentile } from "./lib/metrics.js";
import { printTable, writeResults } from "./lib/report.js";

const { values: args } = parseArgs({ options: { embedder: { type: "string", default: "hashing" } } });
const CHUNKS = 6000;
const KILL_AT = 2000;
const REDIS_DOWN_MS = 10_000;
const WRITES = new Set(["upsert", "delete", "deleteWhere"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t: number) => Math.round(performance.now() - t);

const embedder: Embedder = args.embedder === "minilm" ? await loadMiniLM("q8") : createHashingEmbedder(64);
const dimensions = embedder.dimensions;
const docs: Document[] = Array.from({ length: CHUNKS }, (_, i) => ({
  id: `doc-${i}`,
  text: `Chunk ${i} about topic ${i % 17} and subject ${i % 29}: retrieval, caches and resilience, number ${i}`,
  metadata: { topic: i % 17 },
}));

/** The settings before this release, for the comparison rows. */
const PREVIOUS = {
  breaker: { resetTimeoutMs: 60_000, maxResetTimeoutMs: 60_000 },
  writeRetry: { retries: 2, minTimeoutMs: 200, maxTimeoutMs: 5000, shouldRetry: isRetryableError },
} satisfies ResilienceOptions;

const chroma = await startChroma();

async function chromaScenario(settings: "defaults" | "previous defaults", collection: string) {
  const events = createEventBus();
  const inner = await createChromaVectorStore({ url: chroma.url, collection, dimensions });
  const store = withResilience(inner, settings === "defaults" ? { events } : { events, ...PREVIOUS });
  const retriever = createRetriever({ embedder, store, splitter: false, events });
  let retries = 0;
  let breakerOpens = 0;
  let backAt: number | undefined;
  let firstWriteAfterBack: number | undefined;
  let ingesting = true; // recovery counts writes of the first ingest only, not of a resumed one
  events.on("retry", () => retries++);
  events.on("breaker:open", () => breakerOpens++);
  events.on("service:call", ({ operation }) => {
    if (ingesting && backAt !== undefined && firstWriteAfterBack === undefined && WRITES.has(operation))
      firstWriteAfterBack = performance.now();
  });

  // a reader querying every 250 ms for the whole scenario
  const reads: Array<{ ok: boolean; ms: number; duringOutage: boolean }> = [];
  let down = false;
  let reading = true;
  const probe = new Float32Array(dimensions).fill(1 / Math.sqrt(dimensions));
  const reader = (async () => {
    while (reading) {
      const t = performance.now();
      const duringOutage = down;
      const ok = await store.query(probe, { k: 3 }).then(
        () => true,
        () => false,
      );
      reads.push({ ok, ms: performance.now() - t, duringOutage });
      await sleep(250);
    }
  })();

  let outage: Promise<number> | undefined;
  events.on("ingest:progress", ({ done }) => {
    if (done < KILL_AT || outage) return;
    outage = (async () => {
      const t = performance.now();
      down = true;
      await chroma.stop();
      await chroma.restart();
      down = false;
      backAt = performance.now();
      return since(t);
    })();
  });
  const t0 = performance.now();
  let ingest = "completed";
  let resumed = "";
  try {
    await retriever.add(docs);
  } catch (error) {
    ingest = `rejected (${(error as Error).name})`;
  }
  ingesting = false;
  const ingestMs = since(t0);
  const downMs = (await outage) ?? 0;
  const count = async () => {
    const perDoc = new Map<string, number>();
    for await (const page of inner.scan({ pageSize: 1000 })) {
      for (const d of page) {
        const parent = String(d.metadata.parentId ?? d.id);
        perDoc.set(parent, (perDoc.get(parent) ?? 0) + 1);
      }
    }
    return {
      missing: docs.filter((d) => !perDoc.has(d.id)).length,
      duplicates: [...perDoc.values()].reduce((a, n) => a + Math.max(0, n - 1), 0),
    };
  };
  const after = await count();
  if (ingest !== "completed") {
    // resumable: calling add again writes what is missing (retried while the breaker is open)
    const t = performance.now();
    for (;;) {
      try {
        await retriever.add(docs);
        break;
      } catch (error) {
        if (performance.now() - t > 120_000) throw error;
        await sleep(1000);
      }
    }
    const again = await count();
    resumed = `after ${(since(t) / 1000).toFixed(1)} s: missing ${again.missing}, duplicates ${again.duplicates}`;
  }
  reading = false;
  await reader;
  const outageReads = reads.filter((r) => r.duringOutage);
  const failedReads = outageReads.filter((r) => !r.ok);
  return {
    settings,
    ingest,
    ingestMs,
    chromaDownMs: downMs,
    missingChunks: after.missing,
    duplicateChunks: after.duplicates,
    afterResume: resumed || "-",
    recoveryMs: firstWriteAfterBack && backAt ? Math.round(firstWriteAfterBack - backAt) : null,
    retries,
    breakerOpens,
    readsDuringOutage: outageReads.length,
    failedReads: failedReads.length,
    failedReadP95Ms: failedReads.length
      ? Math.round(
          percentile(
            failedReads.map((r) => r.ms),
            95,
          ),
        )
      : null,
  };
}

const chromaRows = [
  await chromaScenario("defaults", "outage_defaults"),
  await chromaScenario("previous defaults", "outage_previous"),
];

const redis = await startRedis();
const base = createRetriever({
  embedder,
  store: new InMemoryVectorStore({ dimensions }),
  splitter: false,
});
await base.add(docs.slice(0, 2000));
const queries = Array.from({ length: 50 }, (_, i) => `topic ${i % 17} subject ${i % 29} number ${i}`);

async function redisScenario(settings: "defaults" | "previous defaults") {
  const events = createEventBus();
  const client = await createRedisClient(
    redis.url,
    settings === "defaults" ? {} : { retryStrategy: (times: number) => Math.min(times * 50, 2000) },
  );
  const breaker: CircuitBreaker =
    settings === "defaults"
      ? createRedisBreaker({ events })
      : createCircuitBreaker({ service: "redis", events, ...PREVIOUS.breaker });
  let breakerOpens = 0;
  events.on("breaker:open", () => breakerOpens++);
  const cached = withResultCache(base, {
    l1: false,
    l2: createRedisCacheStore({ client, codec: resultCodec, breaker, events }),
    scope: `outage-${settings}`,
  });
  const log: Array<{ at: number; ok: boolean; layer?: unknown; ms: number }> = [];
  let running = true;
  const worker = async (w: number) => {
    for (let i = w; running; i += 4) {
      const t = performance.now();
      try {
        const r = await cached.retrieve(queries[i % queries.length]!, { k: 5 });
        log.push({
          at: t,
          ok: r.documents.length === 5,
          layer: r.info?.cacheLayer,
          ms: performance.now() - t,
        });
      } catch {
        log.push({ at: t, ok: false, ms: performance.now() - t });
      }
      await sleep(10);
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  await sleep(2000);
  const killedAt = performance.now();
  await redis.stop();
  await sleep(REDIS_DOWN_MS);
  await redis.restart(); // empty: the test Redis keeps no data on disk
  const backAt = performance.now();
  let firstHit: number | undefined;
  while (performance.now() - backAt < 90_000 && firstHit === undefined) {
    firstHit = log.find((e) => e.at >= backAt && e.layer === "l2")?.at;
    await sleep(50);
  }
  await sleep(1000);
  running = false;
  await Promise.all(workers);
  breaker.shutdown();
  client.disconnect();
  const during = log.filter((e) => e.at >= killedAt && e.at < backAt);
  return {
    settings,
    queries: log.length,
    failedQueries: log.filter((e) => !e.ok).length,
    redisDownMs: Math.round(backAt - killedAt),
    queriesDuringOutage: during.length,
    outageQueryP95Ms: during.length
      ? Number(
          percentile(
            during.map((e) => e.ms),
            95,
          ).toFixed(2),
        )
      : null,
    recoveryMs: firstHit === undefined ? null : Math.round(firstHit - backAt),
    breakerOpens,
  };
}

const redisRows = [await redisScenario("defaults"), await redisScenario("previous defaults")];
await stopAllServices();

console.log(`\nChroma killed and restarted during a ${CHUNKS}-chunk ingest (embedder ${embedder.modelId})`);
printTable(
  chromaRows.map((r) => ({
    ...r,
    recoveryMs: r.recoveryMs ?? "-",
    failedReadP95Ms: r.failedReadP95Ms ?? "-",
  })),
);
console.log(`\nRedis killed and restarted empty after ${REDIS_DOWN_MS / 1000} s under a query load`);
printTable(
  redisRows.map((r) => ({
    ...r,
    recoveryMs: r.recoveryMs ?? "none in 90 s",
    outageQueryP95Ms: r.outageQueryP95Ms ?? "-",
  })),
);
const file = writeResults("outage", {
  embedder: embedder.modelId,
  chunks: CHUNKS,
  killAt: KILL_AT,
  redisDownMs: REDIS_DOWN_MS,
  chroma: chromaRows,
  redis: redisRows,
  notes:
    "recoveryMs: from the server accepting connections again to the first successful write (Chroma) or the first L2 hit (Redis); previous defaults: fixed 60 s breaker reset, 2 write retries, ioredis default reconnection",
});
console.log(`\nwrote ${file}`);
