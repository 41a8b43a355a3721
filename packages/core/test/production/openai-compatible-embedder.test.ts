import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireModelDir } from "../../../../test/services.js";
import {
  CircuitOpenError,
  cosineSimilarity,
  createEventBus,
  createOpenAICompatibleEmbedder,
  DimensionMismatchError,
  type Embedder,
  ServiceError,
  withEmbedderResilience,
} from "../../src/index.js";
import { createTransformersEmbedder } from "../../src/transformers.js";
import { startEmbeddingServer, startFaultServer, type TestServer } from "./http-servers.js";

// The server below speaks the OpenAI /v1/embeddings protocol and computes real all-MiniLM-L6-v2
// embeddings with core's transformers embedder (the llama-cpp test server has no --embedding mode).
let local: Embedder;
let server: TestServer;
const servers: TestServer[] = [];
beforeAll(async () => {
  local = await createTransformersEmbedder({ localModelPath: requireModelDir(), offline: true });
  server = await startEmbeddingServer(local);
  servers.push(server);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const texts = [
  "Vitamin D supplementation reduces fractures.",
  "Circuit breakers stop calls to failing services.",
  "The recipe needs two cups of flour.",
  "Redis is an in-memory key-value store.",
  "Aspirin lowers the risk of heart attack.",
  "Exponential backoff spaces out retries.",
  "Chroma is a vector database.",
];

describe("createOpenAICompatibleEmbedder", () => {
  it("batches requests, keeps input order and returns the server's real vectors", async () => {
    const remote = createOpenAICompatibleEmbedder({
      baseURL: server.url,
      model: "all-minilm",
      dimensions: 384,
      batchSize: 3,
      concurrency: 2,
    });
    expect(remote.normalized).toBe(true);
    // the server is part of the id (two servers may serve different models under one name)
    expect(remote.modelId).toBe(`${server.url.replace(/\/+$/, "")}#all-minilm`);
    expect(
      createOpenAICompatibleEmbedder({
        baseURL: "http://user:secret@example.test/v1/",
        model: "m",
        dimensions: 4,
        queryPrefix: "query: ",
      }).modelId,
    ).toBe('http://example.test/v1#m;prefixes=["query: ",""]');
    const before = server.requests.length;
    const [vs, direct] = await Promise.all([remote.embedDocuments(texts), local.embedDocuments(texts)]);
    expect(server.requests.length - before).toBe(3); // 3 + 3 + 1
    expect(
      server.requests
        .slice(before)
        .map((r) => (r.input as string[]).length)
        .sort(),
    ).toEqual([1, 3, 3]);
    expect(vs).toHaveLength(texts.length);
    vs.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(384);
      expect(cosineSimilarity(v, direct[i]!)).toBeGreaterThan(0.9999);
    });
    const q = await remote.embedQuery("vitamin D and bone fractures");
    const sims = vs.map((v) => cosineSimilarity(q, v));
    expect(sims.indexOf(Math.max(...sims))).toBe(0);
    expect(server.requests.at(-1)).toMatchObject({ model: "all-minilm", encoding_format: "float" });
  });

  it("prefixes queries and documents when asked", async () => {
    const remote = createOpenAICompatibleEmbedder({
      baseURL: server.url,
      model: "e5",
      dimensions: 384,
      queryPrefix: "query: ",
      documentPrefix: "passage: ",
    });
    await remote.embedQuery("a");
    expect(server.requests.at(-1)!.input).toEqual(["query: a"]);
    await remote.embedDocuments(["b"]);
    expect(server.requests.at(-1)!.input).toEqual(["passage: b"]);
  });

  it("rejects vectors of the wrong length with DimensionMismatchError", async () => {
    const remote = createOpenAICompatibleEmbedder({ baseURL: server.url, model: "m", dimensions: 768 });
    await expect(remote.embedQuery("x")).rejects.toBeInstanceOf(DimensionMismatchError);
  });

  it("retries a 503 and surfaces a 400 without retrying", async () => {
    const good = { data: [{ index: 0, embedding: [3, 4] }] };
    const flaky = await startFaultServer([{ status: 503 }, { reply: good }]);
    const bad = await startFaultServer([{ status: 400 }]);
    servers.push(flaky, bad);
    const retry = { minTimeoutMs: 5, maxTimeoutMs: 10 };
    const e1 = createOpenAICompatibleEmbedder({ baseURL: flaky.url, model: "m", dimensions: 2, retry });
    expect(Array.from(await e1.embedQuery("x"))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(flaky.requests).toHaveLength(2);
    const e2 = createOpenAICompatibleEmbedder({
      baseURL: bad.url,
      model: "m",
      dimensions: 2,
      retry,
      maxRetries: 4,
    });
    await expect(e2.embedDocuments(["x"])).rejects.toMatchObject({ status: 400, retryable: false });
    expect(bad.requests).toHaveLength(1);
    await expect(e2.embedDocuments(["x"])).rejects.toBeInstanceOf(ServiceError);
  });
});

describe("withEmbedderResilience", () => {
  it("opens the breaker after 5 failing calls, fails fast, and closes after the reset timeout", async () => {
    const good = { data: [{ index: 0, embedding: [1, 0] }] };
    const down = await startFaultServer([
      { status: 503 },
      { status: 503 },
      { status: 503 },
      { status: 503 },
      { status: 503 },
      { reply: good },
    ]);
    servers.push(down);
    const events = createEventBus();
    const states: string[] = [];
    events.on("breaker:open", () => states.push("open"));
    events.on("breaker:half-open", () => states.push("half-open"));
    events.on("breaker:close", () => states.push("close"));
    const embedder = withEmbedderResilience(
      createOpenAICompatibleEmbedder({ baseURL: down.url, model: "m", dimensions: 2, maxRetries: 0 }),
      { breaker: { resetTimeoutMs: 300 }, events },
    );
    for (let i = 0; i < 5; i++) await expect(embedder.embedQuery("x")).rejects.toMatchObject({ status: 503 });
    expect(states).toEqual(["open"]);
    await expect(embedder.embedQuery("x")).rejects.toBeInstanceOf(CircuitOpenError);
    expect(down.requests).toHaveLength(5); // the rejected call never reached the server
    await new Promise((r) => setTimeout(r, 350));
    expect(Array.from(await embedder.embedQuery("x"))).toEqual([1, 0]);
    expect(states).toEqual(["open", "half-open", "close"]);
    expect(embedder.breaker?.state).toBe("closed");
  });
});
