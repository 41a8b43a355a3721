import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Filter } from "@ragloom/core";
import { z } from "zod";
import { isAllowed, type Principal } from "../auth/api-keys.js";
import { COLLECTION_NAME, type Permission } from "../config/schema.js";
import { toProblem } from "../http/problem.js";
import type { AnswerHandler, AnswerPart } from "../http/routes/answer.js";
import { resultBody } from "../http/routes/query.js";
import type { Runtime } from "../runtime/create-runtime.js";
import type { Tenant } from "../runtime/tenant.js";

/** Version reported by the MCP server. */
export const MCP_SERVER_VERSION = "0.1.0";

/** Who the MCP server acts for: every collection over stdio, the API key's scope over HTTP. */
export const LOCAL_PRINCIPAL: Principal = {
  id: "local",
  collections: ["*"],
  permissions: new Set<Permission>(["read", "admin"]),
};

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** Whose rights the tools use. @default {@link LOCAL_PRINCIPAL} (all collections, read + admin) */
  principal?: Principal;
  /** Registers the `answer` tool. @default none */
  answer?: AnswerHandler;
}

class ToolError extends Error {}

/** A tool failure as an MCP tool error (`isError`), with a message safe to show. */
function toolError(error: unknown, runtime: Runtime): CallToolResult {
  let message: string;
  if (error instanceof ToolError) message = error.message;
  else {
    const { problem, unexpected } = toProblem(error);
    if (unexpected) runtime.logger.error({ err: error }, "MCP tool failed");
    message = problem.detail ?? problem.title;
    if (problem.errors?.length)
      message += `: ${problem.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`;
  }
  return { isError: true, content: [{ type: "text", text: message }] };
}

const collectionArg = z
  .string()
  .regex(COLLECTION_NAME)
  .optional()
  .describe("Collection to use; the server's default collection when absent");
const filterArg = z
  .record(z.string(), z.unknown())
  .nullable()
  .optional()
  .describe(
    'Metadata filter in ragloom filter IR: {"op":"eq","field":"technology","value":"redis"}; ops eq, ne, gt, gte, lt, lte, in, nin, contains; combine with {"op":"and"|"or","filters":[...]} or {"op":"not","filter":{...}}; dates as epoch ms',
  );

/** The URI of a stored document, served by the `document` resource template. */
export function documentUri(collection: string, id: string): string {
  return `ragloom://${collection}/documents/${encodeURIComponent(id)}`;
}

/**
 * Builds an MCP server (official SDK, `McpServer`) over the runtime's collections. Tools:
 * `search` (query, k, filter, mode → results with sources), `list_facets` (a field's distinct
 * values and counts), `answer` (when configured), `health` and `cache_stats` (hit rates and top
 * queries). Resource template `ragloom://{collection}/documents/{id}`: a source document as JSON.
 * Failures are tool errors with a message, never a crash.
 */
export function createMcpServer(runtime: Runtime, options: McpServerOptions = {}): McpServer {
  const principal = options.principal ?? LOCAL_PRINCIPAL;
  const server = new McpServer({ name: "ragloom", version: MCP_SERVER_VERSION });
  const tenantFor = (collection: string | undefined, permission: Permission): Tenant => {
    const name = collection ?? runtime.defaultCollection;
    if (!isAllowed(principal, name, permission))
      throw new ToolError(`not allowed to ${permission} collection "${name}"`);
    return runtime.tenant(name);
  };
  const visible = () => [...runtime.tenants.values()].filter((t) => isAllowed(principal, t.name, "read"));
  const guard =
    <A>(fn: (args: A) => Promise<CallToolResult>) =>
    async (args: A): Promise<CallToolResult> => {
      try {
        return await fn(args);
      } catch (error) {
        return toolError(error, runtime);
      }
    };

  server.registerTool(
    "search",
    {
      title: "Search documents",
      description:
        "Retrieve the most relevant document chunks for a query (hybrid dense + BM25 by default), optionally filtered by metadata. Returns each result's text, score, metadata and source document URI.",
      inputSchema: {
        query: z.string().min(1).max(8192).describe("What to search for"),
        k: z
          .number()
          .int()
          .min(1)
          .max(100)
          .optional()
          .describe("Number of results (default: the collection's k)"),
        filter: filterArg,
        mode: z.enum(["dense", "lexical", "hybrid"]).optional(),
        collection: collectionArg,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guard(async (args) => {
      const tenant = tenantFor(args.collection, "read");
      const result = await tenant.search(args.query, {
        k: args.k,
        filter: (args.filter ?? null) as Filter | null,
        mode: args.mode,
      });
      const body = resultBody(tenant.name, result);
      const results = body.documents.map((d, i) => ({
        rank: i + 1,
        ...d,
        source: documentUri(tenant.name, d.documentId),
      }));
      const text = results
        .map((r) => `[${r.rank}] ${r.documentId} (score ${r.score.toFixed(4)}) ${r.source}\n${r.text}`)
        .join("\n\n");
      return {
        content: [
          { type: "text", text: text || "no results" },
          ...results.map((r) => ({
            type: "resource_link" as const,
            uri: r.source,
            name: r.documentId,
            mimeType: "application/json",
          })),
        ],
        structuredContent: { collection: tenant.name, cache: body.cache, results },
      };
    }),
  );

  server.registerTool(
    "list_facets",
    {
      title: "List a metadata field's values",
      description:
        'Distinct values of a metadata field and how many documents carry each, most frequent first (e.g. field "technology" answers "which technologies are indexed").',
      inputSchema: {
        field: z.string().min(1).max(128).describe("Metadata field name"),
        limit: z.number().int().min(1).max(1000).optional().describe("Most values returned (default 100)"),
        collection: collectionArg,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guard(async (args) => {
      const tenant = tenantFor(args.collection, "read");
      const facet = { collection: tenant.name, ...tenant.facet(args.field, args.limit) };
      const lines = facet.values.map((v) => `${String(v.value)}: ${v.count}`).join("\n");
      return {
        content: [{ type: "text", text: lines || `no document has the field "${args.field}"` }],
        structuredContent: facet,
      };
    }),
  );

  server.registerTool(
    "health",
    {
      title: "Server health",
      description:
        "Status of every dependency (stores, Redis, embedder) with latency and circuit-breaker state.",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guard(async () => {
      const check = principal.permissions.has("admin") ? runtime.deepHealth : runtime.readiness;
      const report = await check.health();
      return {
        content: [{ type: "text", text: JSON.stringify(report, null, 2) }],
        structuredContent: { ...report },
      };
    }),
  );

  server.registerTool(
    "cache_stats",
    {
      title: "Cache statistics",
      description: "Result-cache hit rates and the most frequent queries of each collection you can read.",
      inputSchema: {
        collection: collectionArg,
        top: z.number().int().min(1).max(100).optional().describe("Top queries per collection (default 10)"),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guard(async (args) => {
      const tenants = args.collection ? [tenantFor(args.collection, "read")] : visible();
      const collections = await Promise.all(tenants.map((t) => t.stats(args.top ?? 10)));
      return {
        content: [{ type: "text", text: JSON.stringify(collections, null, 2) }],
        structuredContent: { collections },
      };
    }),
  );

  const answer = options.answer;
  if (answer) {
    server.registerTool(
      "answer",
      {
        title: "Answer a question",
        description: "Answer a question from the indexed documents, with citations of the sources used.",
        inputSchema: {
          question: z.string().min(1).max(8192).describe("The question"),
          k: z.number().int().min(1).max(100).optional().describe("Documents to retrieve"),
          filter: filterArg,
          collection: collectionArg,
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      guard(async (args) => {
        const tenant = tenantFor(args.collection, "read");
        const parts: AnswerPart[] = [];
        const controller = new AbortController();
        for await (const p of answer.stream({
          query: args.question,
          tenant,
          k: args.k,
          filter: (args.filter ?? null) as Filter | null,
          signal: controller.signal,
        }))
          parts.push(p);
        const done = parts.find((p) => p.type === "done")?.answer as
          | {
              text: string;
              grounded: boolean;
              citations: unknown[];
              sources: Array<{ n: number; id: string }>;
            }
          | undefined;
        const text =
          done?.text ??
          parts
            .filter((p) => p.type === "text-delta")
            .map((p) => String(p.text ?? ""))
            .join("");
        const sources = (done?.sources ?? []).map((s) => ({ n: s.n, id: s.id }));
        const list = sources.map((s) => `[${s.n}] ${s.id}`).join("\n");
        return {
          content: [{ type: "text", text: `${text || "no answer"}${list ? `\n\nSources:\n${list}` : ""}` }],
          structuredContent: {
            collection: tenant.name,
            text,
            grounded: done?.grounded ?? false,
            citations: done?.citations ?? [],
            sources,
          },
        };
      }),
    );
  }

  server.registerResource(
    "document",
    new ResourceTemplate("ragloom://{collection}/documents/{id}", { list: undefined }),
    {
      title: "Stored document",
      description:
        "A source document of a collection, rebuilt from its chunks, as JSON (id, text, metadata).",
      mimeType: "application/json",
    },
    async (uri, variables) => {
      const collection = String(variables.collection);
      const id = decodeURIComponent(String(variables.id));
      let tenant: Tenant;
      try {
        tenant = tenantFor(collection, "read");
      } catch (error) {
        throw new Error(error instanceof ToolError ? error.message : `unknown collection "${collection}"`);
      }
      const doc = await tenant.get(id);
      if (!doc) throw new Error(`no document "${id}" in collection "${collection}"`);
      return {
        contents: [
          { uri: uri.href, mimeType: "application/json", text: JSON.stringify({ collection, ...doc }) },
        ],
      };
    },
  );
  return server;
}
