/**
 * The MCP server through the official SDK's own Client: over stdio (a spawned server process) and
 * over Streamable HTTP (`/mcp` on the HTTP server, behind API keys), against a real Chroma that
 * both servers share and the real MiniLM embedder. Every tool, the document resource, tool errors.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { documentUri, type RunningHttpServer, startHttpServer } from "@ragloom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL_DIR, REPO_ROOT, startChroma, stopAllServices } from "../../../test/services.js";
import { captureLogger, DOCS, KEYS, keyConfig, loadMiniLM } from "./helpers.js";

let server: RunningHttpServer;
let stdio: Client;

type ToolResult = {
  isError?: boolean;
  content: Array<{ type: string; text?: string; uri?: string }>;
  structuredContent?: Record<string, unknown> & { results?: Array<Record<string, unknown>> };
};

async function httpClient(key?: string): Promise<Client> {
  const client = new Client({ name: "ragloom-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: key ? { Authorization: `Bearer ${key}` } : {} },
  });
  await client.connect(transport);
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as ToolResult;

beforeAll(async () => {
  const [chroma, embedder] = await Promise.all([startChroma(), loadMiniLM()]);
  const chromaStore = { kind: "chroma" as const, url: chroma.url, collection: "mcp-docs" };
  server = await startHttpServer({
    embedder,
    logger: captureLogger("warn").logger,
    config: {
      port: 0,
      apiKeys: keyConfig(),
      collections: [{ name: "docs", store: chromaStore }, { name: "notes" }],
    },
  });
  await server.server.runtime.tenant("docs").ingest(DOCS);
  await server.server.runtime
    .tenant("notes")
    .ingest([
      { id: "n1", text: "Private note about the quarterly budget.", metadata: { technology: "finance" } },
    ]);

  // a second server process over stdio, on the same Chroma collection (loaded by a store scan)
  const dir = mkdtempSync(join(tmpdir(), "ragloom-mcp-"));
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      logLevel: "warn",
      embedder: { kind: "transformers", localModelPath: MODEL_DIR, offline: true },
      collections: [{ name: "docs", store: chromaStore }],
    }),
  );
  stdio = new Client({ name: "ragloom-test", version: "1.0.0" });
  await stdio.connect(
    new StdioClientTransport({
      command: join(REPO_ROOT, "node_modules", ".bin", "tsx"),
      args: [
        "--tsconfig",
        join(REPO_ROOT, "tsconfig.json"),
        join(import.meta.dirname, "fixtures", "serve.ts"),
        config,
        "--mcp-stdio",
      ],
      cwd: REPO_ROOT,
      stderr: "inherit",
    }),
  );
});

afterAll(async () => {
  await stdio?.close();
  await server?.close();
  await stopAllServices();
});

describe("MCP over stdio", () => {
  it("lists the tools with JSON schemas and the document resource template", async () => {
    const { tools } = await stdio.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["cache_stats", "health", "list_facets", "search"]);
    const search = tools.find((t) => t.name === "search")!;
    expect(search.inputSchema.required).toEqual(["query"]);
    expect(Object.keys(search.inputSchema.properties ?? {})).toEqual([
      "query",
      "k",
      "filter",
      "mode",
      "collection",
    ]);
    const { resourceTemplates } = await stdio.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["ragloom://{collection}/documents/{id}"]);
  });

  it("searches with k and a filter, returning results with sources", async () => {
    const res = await call(stdio, "search", { query: "how do cached keys expire?", k: 2 });
    expect(res.isError).toBeFalsy();
    const results = res.structuredContent!.results!;
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({
      rank: 1,
      documentId: "redis-cache",
      source: documentUri("docs", "redis-cache"),
    });
    expect(res.content.find((c) => c.type === "resource_link")?.uri).toBe(documentUri("docs", "redis-cache"));
    const filtered = await call(stdio, "search", {
      query: "cache",
      filter: { op: "in", field: "technology", value: ["kubernetes", "http"] },
    });
    expect(new Set(filtered.structuredContent!.results!.map((r) => r.documentId))).toEqual(
      new Set(["k8s-probes", "retry-backoff"]),
    );
  });

  it("lists facets, health and cache statistics", async () => {
    // documents: 5 — the stdio process found what the HTTP server wrote by scanning the Chroma collection
    const facets = await call(stdio, "list_facets", { field: "technology" });
    expect(facets.structuredContent).toMatchObject({ field: "technology", documents: 5, distinct: 4 });
    expect(facets.content[0]!.text).toMatch(/^redis: 2/);
    const health = await call(stdio, "health");
    expect(health.structuredContent).toMatchObject({ status: "up" });
    expect((health.structuredContent!.dependencies as Record<string, unknown>).embedder).toMatchObject({
      status: "up",
    });
    await call(stdio, "search", { query: "kubernetes probes" });
    await call(stdio, "search", { query: "kubernetes probes" });
    const stats = await call(stdio, "cache_stats");
    const [docs] = stats.structuredContent!.collections as Array<{
      collection: string;
      topQueries: unknown[];
      cache: { l1Hits: number; hitRatio: number };
    }>;
    expect(docs!.collection).toBe("docs");
    expect(docs!.topQueries[0]).toEqual({ query: "kubernetes probes", count: 2 });
    expect(docs!.cache.l1Hits).toBeGreaterThanOrEqual(1);
    expect(docs!.cache.hitRatio).toBeGreaterThan(0);
  });

  it("reads a document by id as a resource", async () => {
    const res = await stdio.readResource({ uri: documentUri("docs", "k8s-probes") });
    const doc = JSON.parse(String((res.contents[0] as { text: string }).text));
    expect(doc).toMatchObject({
      id: "k8s-probes",
      collection: "docs",
      metadata: { technology: "kubernetes" },
    });
    expect(doc.text).toBe(DOCS.find((d) => d.id === "k8s-probes")!.text);
    await expect(stdio.readResource({ uri: documentUri("docs", "missing") })).rejects.toThrow(
      /no document "missing"/,
    );
  });

  it("reports bad calls as tool errors and keeps serving", async () => {
    const badFilter = await call(stdio, "search", {
      query: "x",
      filter: { op: "regex", field: "a", value: 1 },
    });
    expect(badFilter.isError).toBe(true);
    expect(badFilter.content[0]!.text).toMatch(/unknown operator "regex"/);
    const unknown = await call(stdio, "search", { query: "x", collection: "nope" });
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0]!.text).toMatch(/unknown collection "nope"/);
    const invalid = await call(stdio, "search", { query: "" });
    expect(invalid.isError).toBe(true);
    expect((await call(stdio, "search", { query: "streams" })).isError).toBeFalsy();
  });
});

describe("MCP over Streamable HTTP", () => {
  it("needs an API key", async () => {
    await expect(httpClient()).rejects.toThrow(/401/);
  });

  it("serves the tools within the key's collections", async () => {
    const client = await httpClient(KEYS.docsReader);
    try {
      const res = await call(client, "search", { query: "exponential backoff", k: 1 });
      expect(res.structuredContent!.results![0]!.documentId).toBe("retry-backoff");
      const other = await call(client, "search", { query: "budget", collection: "notes" });
      expect(other.isError).toBe(true);
      expect(other.content[0]!.text).toMatch(/not allowed to read collection "notes"/);
      const stats = await call(client, "cache_stats");
      expect(
        (stats.structuredContent!.collections as Array<{ collection: string }>).map((c) => c.collection),
      ).toEqual(["docs"]);
      const facets = await call(client, "list_facets", { field: "technology", collection: "notes" });
      expect(facets.isError).toBe(true);
      await expect(client.readResource({ uri: documentUri("notes", "n1") })).rejects.toThrow(/not allowed/);
      const health = await call(client, "health");
      expect(health.structuredContent!.status).toBe("up");
      expect((health.structuredContent!.dependencies as Record<string, unknown>).embedder).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it("lets a key of the other tenant read only its own documents", async () => {
    const client = await httpClient(KEYS.notesReader);
    try {
      const res = await call(client, "search", { query: "budget", collection: "notes" });
      expect(res.structuredContent!.results!.map((r) => r.documentId)).toEqual(["n1"]);
      const doc = await client.readResource({ uri: documentUri("notes", "n1") });
      expect(JSON.parse(String((doc.contents[0] as { text: string }).text)).text).toMatch(/quarterly budget/);
      expect((await call(client, "search", { query: "redis" })).isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});
