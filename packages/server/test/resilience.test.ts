/**
 * The server when things go wrong: Redis stops (rate limits fall back to in-memory counters,
 * queries still answer, readiness is degraded), and graceful shutdown with requests in flight.
 * Real Redis and the real MiniLM; the only fault injected is an embedder that waits on a gate,
 * to hold requests in flight for as long as the test needs.
 */
import type { Embedder } from "@ragloom/core";
import { type RunningHttpServer, startHttpServer } from "@ragloom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startRedis, stopAllServices } from "../../../test/services.js";
import { api, captureLogger, DOCS, KEYS, keyConfig, loadMiniLM } from "./helpers.js";

let embedder: Embedder;
let redis: ServiceHandle;

beforeAll(async () => {
  [embedder, redis] = await Promise.all([loadMiniLM(), startRedis()]);
});
afterAll(() => stopAllServices());

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

/** The real embedder, whose query embeddings wait until `open()` is called. */
function gatedEmbedder(inner: Embedder) {
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const gated: Embedder = {
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    normalized: inner.normalized,
    embedDocuments: (texts, o) => inner.embedDocuments(texts, o),
    embedQuery: async (text, o) => {
      await gate;
      return inner.embedQuery(text, o);
    },
  };
  return { embedder: gated, open };
}

async function start(
  extra: Record<string, unknown> = {},
  e: Embedder = embedder,
): Promise<RunningHttpServer> {
  const server = await startHttpServer({
    embedder: e,
    logger: captureLogger("warn").logger,
    config: {
      port: 0,
      apiKeys: keyConfig(),
      embeddingCache: false,
      collections: [{ name: "docs", mode: "dense" }, { name: "notes" }],
      ...extra,
    },
  });
  await server.server.runtime.tenant("docs").ingest(DOCS);
  return server;
}

describe("Redis down", () => {
  it("falls back to in-memory rate limits and keeps answering queries", async () => {
    const server = await start({ redis: { url: redis.url } });
    const call = api(server.url);
    try {
      expect(
        (await call("/v1/query", { key: KEYS.docsReader, body: { query: "redis streams" } })).status,
      ).toBe(200);
      expect((await call("/health/ready")).json.dependencies.redis.status).toBe("up");
      await redis.stop();

      const res = await call("/v1/query", {
        key: KEYS.docsReader,
        body: { query: "readiness probes", k: 1 },
      });
      expect(res.status).toBe(200);
      expect(res.json.documents[0].documentId).toBe("k8s-probes");
      const statuses: number[] = [];
      let last = res;
      for (let i = 0; i < 5; i++) {
        last = await call("/v1/facets/technology", { key: KEYS.limited });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);

      const ready = await call("/health/ready");
      expect(ready.status).toBe(200);
      expect(ready.json.status).toBe("degraded");
      expect(ready.json.dependencies.redis.status).toBe("down");
      const metrics = await call("/metrics", { key: KEYS.admin });
      expect(metrics.text).toMatch(/ragloom_rate_limited_total\{key="limited",store="memory"\} 2/);
    } finally {
      await server.close();
      await redis.restart();
    }
  });
});

describe("graceful shutdown", () => {
  it("finishes requests in flight, refuses new ones, then stops", async () => {
    const { embedder: gated, open } = gatedEmbedder(embedder);
    const server = await start({}, gated);
    const call = api(server.url);
    const queries = ["retry with jitter", "postgres indexes", "liveness probes"];
    const inFlight = queries.map((query) =>
      call("/v1/query", { key: KEYS.docsReader, body: { query, k: 1 } }),
    );
    await until(() => server.server.http.inFlight === 3, "three requests in flight");

    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    const late = await call("/health/live").then(
      (r) => r.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(late);

    open();
    const done = await Promise.all(inFlight);
    expect(done.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(done.map((r) => r.json.documents[0].documentId)).toEqual([
      "retry-backoff",
      "postgres-index",
      "k8s-probes",
    ]);
    await closing;
    expect(closed).toBe(true);
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
  });

  it("closes connections still open when the shutdown timeout ends", async () => {
    const { embedder: gated, open } = gatedEmbedder(embedder);
    const server = await start({ shutdownTimeoutMs: 100 }, gated);
    const call = api(server.url);
    const stuck = call("/v1/query", { key: KEYS.docsReader, body: { query: "stuck" } }).then(
      (r) => r.status,
      () => "closed",
    );
    await until(() => server.server.http.inFlight === 1, "one request in flight");
    await server.close();
    expect(await stuck).toBe("closed");
    open();
  });
});
