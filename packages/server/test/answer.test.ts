/**
 * `POST /v1/answer` (server-sent events and JSON) and the MCP `answer` tool with @ragloom/answer,
 * the real SmolLM2-135M behind llama-cpp-python's OpenAI-compatible server and the real MiniLM
 * embedder, through the HTTP server on a loopback port. Structure only: a 135M model invents facts.
 */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ConfigError, parseConfig, type RunningHttpServer, startHttpServer } from "@ragloom/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LLM_MODEL_ID, startLlmServer, stopAllServices } from "../../../test/services.js";
import { api, captureLogger, DOCS, KEYS, keyConfig, loadMiniLM } from "./helpers.js";

let server: RunningHttpServer;

/** Reads a server-sent-event body into `{ event, data }` records. */
// biome-ignore lint/suspicious/noExplicitAny: event payloads of any shape, asserted on by the tests
async function sse(res: Response): Promise<Array<{ event: string; data: any }>> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split("\n");
      const event =
        lines
          .find((l) => l.startsWith("event:"))
          ?.slice(6)
          .trim() ?? "message";
      const data = lines
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n");
      return { event, data: JSON.parse(data) };
    });
}

beforeAll(async () => {
  const embedder = await loadMiniLM();
  const llm = await startLlmServer();
  server = await startHttpServer({
    embedder,
    logger: captureLogger("warn").logger,
    config: {
      port: 0,
      apiKeys: keyConfig(),
      bodyLimitBytes: 16_384,
      answer: { baseURL: llm.url, model: LLM_MODEL_ID, maxTokens: 40, k: 2 },
      collections: [
        { name: "docs" },
        // its own settings over the top-level ones
        { name: "notes", answer: { maxTokens: 48, k: 1, citationFormat: "json" } },
        { name: "plain", answer: false },
      ],
    },
  });
  await server.server.runtime.tenant("docs").ingest(DOCS);
  await server.server.runtime
    .tenant("notes")
    .ingest([
      { id: "budget", text: "The quarterly budget for the notes team is 12,000 euros.", metadata: {} },
    ]);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await stopAllServices();
});

it("streams an answer as server-sent events: sources, text, done", { timeout: 120_000 }, async () => {
  const res = await fetch(`${server.url}/v1/answer`, {
    method: "POST",
    headers: { Authorization: `Bearer ${KEYS.docsReader}`, "Content-Type": "application/json" },
    body: JSON.stringify({ query: "What are Redis streams?" }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events = await sse(res);
  expect(events[0]!.event).toBe("sources");
  const sourceIds = events[0]!.data.sources.map((s: { id: string }) => s.id);
  expect(sourceIds.length).toBeGreaterThan(0);
  expect(sourceIds.some((id: string) => id.startsWith("redis-streams"))).toBe(true);
  expect(events.some((e) => e.event === "text-delta")).toBe(true);
  const done = events.at(-1)!;
  expect(done.event).toBe("done");
  expect(done.data.answer.text.length).toBeGreaterThan(0);
  expect(done.data.answer.sources.map((s: { id: string }) => s.id)).toEqual(sourceIds);
});

it("answers only from the caller's collection and checks the request before streaming", {
  timeout: 120_000,
}, async () => {
  const call = api(server.url);
  const forbidden = await call("/v1/answer", {
    key: KEYS.notesReader,
    body: { query: "redis", collection: "docs" },
  });
  expect(forbidden.status).toBe(403);
  const bad = await call("/v1/answer", { key: KEYS.docsReader, body: { query: "x", filter: { op: "bad" } } });
  expect(bad.status).toBe(400);
  expect(bad.headers.get("content-type")).toBe("application/problem+json");

  const client = new Client({ name: "ragloom-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${KEYS.notesReader}` } },
    }),
  );
  try {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("answer");
    const res = (await client.callTool({
      name: "answer",
      arguments: { question: "What is the quarterly budget?", collection: "notes" },
    })) as unknown as {
      isError?: boolean;
      structuredContent: { text: string; sources: Array<{ id: string }> };
    };
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent.text.length).toBeGreaterThan(0);
    expect(res.structuredContent.sources.map((s) => s.id)).toEqual([expect.stringMatching(/^budget/)]);
  } finally {
    await client.close();
  }
});

it("returns the whole answer as JSON with stream: false", { timeout: 120_000 }, async () => {
  const res = await api(server.url)("/v1/answer", {
    key: KEYS.docsReader,
    body: { query: "What are Redis streams?", stream: false, k: 1 },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = res.json as Record<string, unknown> & {
    sources: Array<{ n: number; id: string; text: string }>;
    citations: Array<{ source: number; valid: boolean }>;
    usage: { contextTokens: number };
  };
  expect(body).toMatchObject({
    collection: "docs",
    text: expect.any(String),
    grounded: expect.any(Boolean),
    modelId: expect.any(String),
    requestId: expect.any(String),
  });
  expect(body.sources).toEqual([
    expect.objectContaining({ n: 1, id: expect.any(String), text: expect.any(String) }),
  ]);
  expect(body.usage.contextTokens).toBeGreaterThan(0);
  for (const c of body.citations) expect(c.valid).toBe(c.source === 1);
  expect(body).not.toHaveProperty("documents");
});

it("applies the /v1/query rules: auth, body limit, collections with answers off; documents it in OpenAPI", {
  timeout: 60_000,
}, async () => {
  const call = api(server.url);
  expect((await call("/v1/answer", { body: { query: "redis" } })).status).toBe(401);
  const big = await call("/v1/answer", {
    key: KEYS.docsReader,
    body: { query: "redis", pad: "z".repeat(20_000) },
  });
  expect(big.status).toBe(413);
  const off = await call("/v1/answer", { key: KEYS.admin, body: { query: "redis", collection: "plain" } });
  expect(off.status).toBe(404);
  expect((off.json as { detail: string }).detail).toMatch(/not configured for collection "plain"/);

  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
    paths: Record<
      string,
      { post?: { requestBody: unknown; responses: Record<string, { content?: object }> } }
    >;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };
  const op = doc.paths["/v1/answer"]!.post!;
  expect(Object.keys(op.responses["200"]!.content!)).toEqual(["text/event-stream", "application/json"]);
  expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["401", "403", "413", "429"]));
  expect(Object.keys(doc.components.schemas.AnswerRequest!.properties!)).toEqual(
    expect.arrayContaining(["query", "k", "filter", "collection", "stream"]),
  );
  expect(Object.keys(doc.components.schemas.AnswerResponse!.properties!)).toEqual(
    expect.arrayContaining(["text", "citations", "sources", "grounded"]),
  );
});

it("rate-limits answers like queries", { timeout: 120_000 }, async () => {
  const call = api(server.url);
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++)
    statuses.push((await call("/v1/answer", { key: KEYS.limited, body: { query: "", k: 1 } })).status);
  // 3 points per minute: three requests are let through (400: empty question), the fourth is limited
  expect(statuses).toEqual([400, 400, 400, 429]);
});

it("rejects a bad answer configuration at start with the path of the value", () => {
  const base = { collections: [{ name: "a" }] };
  expect(() => parseConfig({ ...base, answer: { baseURL: "not a url", model: "m" } })).toThrow(
    /answer\.baseURL: an http\(s\) URL/,
  );
  expect(() => parseConfig({ collections: [{ name: "a", answer: { model: "m" } }] })).toThrow(ConfigError);
  expect(() => parseConfig({ collections: [{ name: "a", answer: { model: "m" } }] })).toThrow(
    /collections\.0\.answer\.baseURL: required: there is no top-level answer\.baseURL/,
  );
  expect(() => parseConfig({ ...base, answer: { baseURL: "http://x/v1", model: "" } })).toThrow(
    /answer\.model/,
  );
});
