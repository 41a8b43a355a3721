/**
 * The HTTP API on a loopback port against a real Redis and a real Chroma, with the real MiniLM
 * embedder: every endpoint, auth (401/403), body limits (413), rate limits (429), problem+json
 * errors without stack traces, logs, tenant isolation through the cache, OpenAPI document.
 */
import { InMemoryVectorStore, type VectorStore } from "@ragloom/core";
import { createServer, type RunningHttpServer, startHttpServer } from "@ragloom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startChroma, startRedis, stopAllServices } from "../../../test/services.js";
import { api, captureLogger, DOCS, KEYS, keyConfig, loadMiniLM } from "./helpers.js";

let redis: ServiceHandle;
let chroma: ServiceHandle;
let server: RunningHttpServer;
let call: ReturnType<typeof api>;
const logs = captureLogger();
let embedder: Awaited<ReturnType<typeof loadMiniLM>>;

/** A store that fails every query with an internal error (to check nothing of it leaks). */
function faultyStore(): VectorStore {
  const inner = new InMemoryVectorStore({ dimensions: 384 });
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "query")
        return async () => {
          throw new Error(
            "connection to 10.1.2.3:5432 failed: password authentication failed for user admin",
          );
        };
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

beforeAll(async () => {
  [redis, chroma, embedder] = await Promise.all([startRedis(), startChroma(), loadMiniLM()]);
  server = await startHttpServer({
    embedder,
    logger: logs.logger,
    stores: { faulty: faultyStore() },
    config: {
      port: 0,
      redis: { url: redis.url },
      bodyLimitBytes: 16_384,
      ingestBodyLimitBytes: 65_536,
      apiKeys: keyConfig(),
      collections: [
        { name: "docs", store: { kind: "chroma", url: chroma.url, collection: "server-docs" } },
        { name: "notes" },
        { name: "faulty" },
      ],
    },
  });
  call = api(server.url);
  const ingest = await call("/v1/documents", { key: KEYS.docsWriter, body: { documents: DOCS } });
  expect(ingest.status).toBe(200);
});

afterAll(async () => {
  await server?.close();
  await stopAllServices();
});

describe("retrieval", () => {
  it("answers a query with scored documents, metadata, timings and a cache status", async () => {
    const q = { query: "how do I make cached keys expire?", k: 3 };
    const first = await call("/v1/query", { key: KEYS.docsReader, body: q });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^application\/json/);
    expect(first.json.collection).toBe("docs");
    expect(first.json.documents).toHaveLength(3);
    expect(first.json.documents[0].documentId).toBe("redis-cache");
    expect(first.json.documents[0].metadata.technology).toBe("redis");
    expect(first.json.timings.total).toBeGreaterThan(0);
    expect(first.json.cache).toBe("miss");
    const again = await call("/v1/query", { key: KEYS.docsReader, body: q });
    expect(again.json.cache).toBe("hit");
    expect(again.json.documents.map((d: { id: string }) => d.id)).toEqual(
      first.json.documents.map((d: { id: string }) => d.id),
    );
  });

  it("applies filters in the filter IR and the requested mode", async () => {
    const filtered = await call("/v1/query", {
      key: KEYS.docsReader,
      body: { query: "cache", k: 5, filter: { op: "eq", field: "technology", value: "postgres" } },
    });
    expect(filtered.status).toBe(200);
    expect(filtered.json.documents.map((d: { documentId: string }) => d.documentId)).toEqual([
      "postgres-index",
    ]);
    const lexical = await call("/v1/query", {
      key: KEYS.docsReader,
      body: { query: "consumer groups", k: 1, mode: "lexical" },
    });
    expect(lexical.json.documents[0].documentId).toBe("redis-streams");
    expect(lexical.json.timings.embed).toBeUndefined();
  });

  it("rejects invalid filters and requests with 400 problem details naming the path", async () => {
    const bad = await call("/v1/query", {
      key: KEYS.docsReader,
      body: { query: "x", filter: { op: "regex", field: "technology", value: "re.*" } },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(bad.json.errors[0].path).toMatch(/^\/filter/);
    const k = await call("/v1/query", { key: KEYS.docsReader, body: { query: "x", k: 500 } });
    expect(k.status).toBe(400);
    expect(k.json.errors).toEqual([{ path: "/k", message: expect.stringMatching(/<=100/) }]);
    const extra = await call("/v1/query", { key: KEYS.docsReader, body: { query: "x", limit: 3 } });
    expect(extra.status).toBe(400);
    const notJson = await call("/v1/query", {
      key: KEYS.docsReader,
      raw: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    expect(notJson.status).toBe(400);
    const unknown = await call("/v1/query", { key: KEYS.admin, body: { query: "x", collection: "nope" } });
    expect(unknown.status).toBe(404);
  });

  it("lists a field's distinct values with document counts", async () => {
    const res = await call("/v1/facets/technology", { key: KEYS.docsReader });
    expect(res.status).toBe(200);
    expect(res.json.values[0]).toEqual({ value: "redis", count: 2 });
    expect(res.json.documents).toBe(5);
    expect(res.json.distinct).toBe(4);
    const tags = await call("/v1/facets/tags?limit=2", { key: KEYS.docsReader });
    expect(tags.json.values).toHaveLength(2);
    expect(tags.json.distinct).toBe(7);
  });
});

describe("documents", () => {
  it("ingests NDJSON, serves a document by id and deletes it with all its chunks", async () => {
    const long = Array.from({ length: 60 }, (_, i) => `Sentence ${i} about vector indexes and recall.`).join(
      " ",
    );
    const ndjson = [
      JSON.stringify({ id: "long-note", text: long, metadata: { technology: "faiss" } }),
      JSON.stringify({
        id: "short-note",
        text: "HNSW graphs trade memory for speed.",
        metadata: { technology: "hnsw" },
      }),
    ].join("\n");
    const res = await call("/v1/documents?collection=notes", {
      key: KEYS.admin,
      raw: `${ndjson}\n`,
      headers: { "Content-Type": "application/x-ndjson" },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ collection: "notes", documents: 2 });
    expect(res.json.chunks).toBeGreaterThan(2);
    const doc = await call("/v1/documents/long-note?collection=notes", { key: KEYS.admin });
    expect(doc.status).toBe(200);
    expect(doc.json.text).toBe(long);
    expect(doc.json.metadata).toEqual({ technology: "faiss" });
    expect(doc.json.chunks).toBe(res.json.chunks - 1);

    const del = await call("/v1/documents/long-note?collection=notes", { key: KEYS.admin, method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await call("/v1/documents/long-note?collection=notes", { key: KEYS.admin })).status).toBe(404);
    expect(
      (await call("/v1/documents/long-note?collection=notes", { key: KEYS.admin, method: "DELETE" })).status,
    ).toBe(404);
    const after = await call("/v1/query", {
      key: KEYS.admin,
      body: { query: "vector indexes and recall", k: 10, collection: "notes" },
    });
    expect(after.json.documents.every((d: { documentId: string }) => d.documentId !== "long-note")).toBe(
      true,
    );
    const facets = await call("/v1/facets/technology?collection=notes", { key: KEYS.admin });
    expect(facets.json.values).toEqual([{ value: "hnsw", count: 1 }]);
  });

  it("reports bad NDJSON lines with their line numbers", async () => {
    const res = await call("/v1/documents?collection=notes", {
      key: KEYS.admin,
      raw: `${JSON.stringify({ id: "a", text: "ok" })}\n{"id": "b"}\nnot json\n`,
      headers: { "Content-Type": "application/x-ndjson" },
    });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(["/line/2/text", "/line/3"]);
    expect((await call("/v1/documents/a?collection=notes", { key: KEYS.admin })).status).toBe(404);
  });
});

describe("security", () => {
  it("answers 401 with problem+json and WWW-Authenticate without a valid key", async () => {
    for (const key of [undefined, "rgl_wrong", `${KEYS.docsReader}x`]) {
      const res = await call("/v1/query", { key, body: { query: "redis" } });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(res.json).toMatchObject({ status: 401, title: "Unauthorized", instance: "/v1/query" });
    }
    const viaHeader = await call("/v1/facets/technology", { headers: { "X-API-Key": KEYS.docsReader } });
    expect(viaHeader.status).toBe(200);
  });

  it("answers 403 outside a key's collections and permissions", async () => {
    const otherCollection = await call("/v1/query", {
      key: KEYS.notesReader,
      body: { query: "redis", collection: "docs" },
    });
    expect(otherCollection.status).toBe(403);
    expect(otherCollection.json.detail).toMatch(/may not read collection "docs"/);
    const write = await call("/v1/documents", {
      key: KEYS.docsReader,
      body: { documents: [{ id: "x", text: "y" }] },
    });
    expect(write.status).toBe(403);
    expect((await call("/v1/documents/redis-cache", { key: KEYS.docsReader, method: "DELETE" })).status).toBe(
      403,
    );
    expect((await call("/metrics", { key: KEYS.docsReader })).status).toBe(403);
    expect((await call("/health", { key: KEYS.docsReader })).status).toBe(403);
  });

  it("answers 413 for bodies over the limits, with and without Content-Length", async () => {
    const big = await call("/v1/query", { key: KEYS.docsReader, body: { query: "x".repeat(20_000) } });
    expect(big.status).toBe(413);
    expect(big.headers.get("content-type")).toBe("application/problem+json");
    const docs = Array.from({ length: 40 }, (_, i) => ({ id: `big-${i}`, text: "word ".repeat(400) }));
    const ingest = await call("/v1/documents", { key: KEYS.docsWriter, body: { documents: docs } });
    expect(ingest.status).toBe(413);
    const chunked = await fetch(`${server.url}/v1/documents?collection=docs`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEYS.docsWriter}`, "Content-Type": "application/x-ndjson" },
      body: new ReadableStream({
        start(controller) {
          const line = new TextEncoder().encode(
            `${JSON.stringify({ id: "s", text: "word ".repeat(2000) })}\n`,
          );
          for (let i = 0; i < 10; i++) controller.enqueue(line);
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await call("/v1/documents/big-0", { key: KEYS.admin })).status).toBe(404);
  });

  it("answers 429 with Retry-After once a key's rate limit is used up", async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await call("/v1/facets/technology", { key: KEYS.limited });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(last!.headers.get("ratelimit-limit")).toBe("3");
    expect(last!.json.status).toBe(429);
    // counted in Redis, shared by every server process
    const keys = await redisKeys("ragloom:rl:*");
    expect(keys.some((k) => k.endsWith(":limited"))).toBe(true);
  });

  it("never sends stack traces or internal messages; logs them with the request id instead", async () => {
    const res = await call("/v1/query", {
      key: KEYS.admin,
      body: { query: "anything", collection: "faulty" },
    });
    expect(res.status).toBe(500);
    expect(res.json.detail).toBe("an unexpected error occurred");
    expect(res.text).not.toMatch(/10\.1\.2\.3|password|at .*\.ts|Error:/);
    const id = res.headers.get("x-request-id")!;
    expect(res.json.requestId).toBe(id);
    const logged = logs.lines.find((l) => l.requestId === id && l.msg === "unexpected error");
    expect(JSON.stringify(logged)).toMatch(/password authentication failed/);
  });

  it("logs JSON lines with request ids and without API keys", async () => {
    const res = await call("/v1/facets/kind", {
      key: KEYS.docsReader,
      headers: { "X-Request-Id": "trace-abc-123" },
    });
    expect(res.headers.get("x-request-id")).toBe("trace-abc-123");
    const line = logs.lines.find((l) => l.requestId === "trace-abc-123" && l.msg === "request");
    expect(line).toMatchObject({
      method: "GET",
      status: 200,
      key: "docs-reader",
      route: "/v1/facets/:field",
    });
    const all = logs.raw.join("\n");
    for (const key of Object.values(KEYS)) expect(all).not.toContain(key);
  });

  it("sends no CORS headers by default, and only for configured origins when enabled", async () => {
    const res = await fetch(`${server.url}/v1/facets/kind`, {
      headers: { Origin: "https://evil.example", Authorization: `Bearer ${KEYS.docsReader}` },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const withCors = await createServer({
      embedder,
      logger: captureLogger().logger,
      config: {
        cors: { origins: ["https://app.example"] },
        apiKeys: keyConfig(),
        collections: [{ name: "docs" }, { name: "notes" }],
      },
    });
    const preflight = await withCors.fetch(
      new Request("http://x/v1/query", {
        method: "OPTIONS",
        headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" },
      }),
    );
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await withCors.fetch(
      new Request("http://x/health/live", { headers: { Origin: "https://evil.example" } }),
    );
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    await withCors.close();
  });
});

describe("tenant isolation", () => {
  it("keeps collections apart, through the shared Redis cache too", async () => {
    const same = { id: "shared-id", text: "" };
    await call("/v1/documents", {
      key: KEYS.admin,
      body: {
        collection: "docs",
        documents: [{ ...same, text: "Docs tenant: zebra migration patterns in the savanna." }],
      },
    });
    await call("/v1/documents", {
      key: KEYS.admin,
      body: {
        collection: "notes",
        documents: [{ ...same, text: "Notes tenant: zebra crossing rules for pedestrians." }],
      },
    });
    const q = { query: "zebra", k: 1 };
    const docs1 = await call("/v1/query", { key: KEYS.docsReader, body: { ...q, collection: "docs" } });
    const docs2 = await call("/v1/query", { key: KEYS.docsReader, body: { ...q, collection: "docs" } });
    const notes1 = await call("/v1/query", { key: KEYS.notesReader, body: { ...q, collection: "notes" } });
    const notes2 = await call("/v1/query", { key: KEYS.notesReader, body: q });
    expect(docs1.json.documents[0].text).toMatch(/^Docs tenant/);
    expect(docs2.json).toMatchObject({ cache: "hit" });
    expect(docs2.json.documents[0].text).toMatch(/^Docs tenant/);
    expect(notes1.json.cache).toBe("miss");
    expect(notes1.json.documents[0].text).toMatch(/^Notes tenant/);
    // a key of one tenant gets 403 (not the other tenant's cached result) on the other collection
    expect(notes2.status).toBe(403);
    const cached = await redisKeys("ragloom:res:*");
    expect(cached.some((k) => k.startsWith("ragloom:res:docs:"))).toBe(true);
    expect(cached.some((k) => k.startsWith("ragloom:res:notes:"))).toBe(true);
    const docFacets = await call("/v1/facets/technology?collection=docs", { key: KEYS.docsReader });
    expect(docFacets.json.values.map((v: { value: string }) => v.value)).not.toContain("hnsw");
  });
});

describe("operations", () => {
  it("serves liveness and readiness without a key, deep health and metrics to admin keys", async () => {
    const live = await call("/health/live");
    expect(live.json.status).toBe("up");
    const ready = await call("/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.json.dependencies["store:docs"].status).toBe("up");
    expect(ready.json.dependencies.redis).toMatchObject({ status: "up", critical: false, breaker: "closed" });
    const deep = await call("/health", { key: KEYS.admin });
    expect(deep.status).toBe(200);
    expect(deep.json.dependencies.embedder.status).toBe("up");
    expect(deep.json.dependencies["store:docs"]).toMatchObject({ status: "up", breaker: "closed" });
    expect(deep.json.dependencies["store:docs"].latencyMs).toBeGreaterThan(0);
    const metrics = await call("/metrics", { key: KEYS.admin });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(
      /ragloom_http_requests_total\{method="POST",route="\/v1\/query",status="200"\} \d+/,
    );
    expect(metrics.text).toMatch(/ragloom_retrievals_total\{status="ok"\} \d+/);
    expect(metrics.text).toMatch(
      /ragloom_cache_requests_total\{cache="result",layer="l1",result="hit"\} \d+/,
    );
    expect(metrics.text).toMatch(/ragloom_breaker_state\{service="redis"\} 0/);
  });

  it("publishes an OpenAPI 3.1 document of every endpoint", async () => {
    const doc = await call("/openapi.json");
    expect(doc.json.openapi).toBe("3.1.0");
    expect(Object.keys(doc.json.paths).sort()).toEqual(
      [
        "/health",
        "/health/live",
        "/health/ready",
        "/metrics",
        "/v1/documents",
        "/v1/documents/{id}",
        "/v1/facets/{field}",
        "/v1/query",
      ].sort(),
    );
    expect(doc.json.components.schemas.Filter).toBeDefined();
    expect(
      doc.json.paths["/v1/query"].post.responses["429"].content["application/problem+json"],
    ).toBeDefined();
  });
});

async function redisKeys(pattern: string): Promise<string[]> {
  const { default: Redis } = await import("ioredis");
  const r = new Redis(redis.url);
  try {
    return await r.keys(pattern);
  } finally {
    r.disconnect();
  }
}
