/**
 * `POST /v1/answer` (server-sent events) and the MCP `answer` tool with @ragloom/answer, the real
 * SmolLM2-135M (in process through node-llama-cpp) and the real MiniLM embedder.
 */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createLlamaCppModel } from "@ragloom/core/llama-cpp";
import { type RunningHttpServer, startHttpServer } from "@ragloom/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LLM_MODEL_FILE, stopAllServices } from "../../../test/services.js";
import { api, captureLogger, DOCS, KEYS, keyConfig, loadMiniLM } from "./helpers.js";

let server: RunningHttpServer;
let model: Awaited<ReturnType<typeof createLlamaCppModel>>;

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
  model = await createLlamaCppModel({ modelPath: LLM_MODEL_FILE, threads: 1 });
  server = await startHttpServer({
    embedder,
    answerModel: model,
    logger: captureLogger("warn").logger,
    config: {
      port: 0,
      apiKeys: keyConfig(),
      // the model is given in process; baseURL and model name are what a deployment would set
      answer: { baseURL: "http://127.0.0.1:1/v1", model: "smollm2-135m", maxTokens: 40, k: 2 },
      collections: [{ name: "docs" }, { name: "notes" }],
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
  await model?.dispose();
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
      arguments: { query: "What is the quarterly budget?", collection: "notes" },
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
