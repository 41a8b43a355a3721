import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Filter, RetrievalResult } from "@ragloom/core";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Runtime } from "../../runtime/create-runtime.js";
import { AUTHED_BODY, access, problemResponses, SECURITY, type ServerEnv } from "../context.js";
import { QueryResponseSchema, queryRequestSchema } from "../schemas.js";

/**
 * Body-size guard answering 413 as a problem. A body with a `Content-Length` (and no
 * `Transfer-Encoding`) is judged by that header alone: Node's HTTP parser never reads more body
 * than it declares, and not touching the body stream keeps @hono/node-server's direct read of the
 * body (no web `Request` and `ReadableStream` per request). Other bodies are counted as they are
 * read (hono's `bodyLimit`).
 */
export function limitBody(maxSize: number): MiddlewareHandler {
  const tooLarge = () => {
    throw new HTTPException(413, { message: `request body larger than ${maxSize} bytes` });
  };
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && /^\d+$/.test(length) && c.req.header("transfer-encoding") === undefined) {
      if (Number(length) > maxSize) tooLarge();
      return next();
    }
    return streamed(c, next);
  };
}

/** The JSON shape of a retrieval result. */
export function resultBody(collection: string, result: RetrievalResult) {
  const timings: Record<string, number> = {};
  for (const [k, v] of Object.entries(result.timings)) if (typeof v === "number") timings[k] = v;
  const cache = result.info?.cache;
  return {
    collection,
    documents: result.documents.map((d) => ({
      id: d.id,
      documentId: typeof d.metadata.parentId === "string" ? d.metadata.parentId : d.id,
      text: d.text,
      score: d.score,
      metadata: d.metadata,
    })),
    timings,
    cache: (cache === "hit" || cache === "miss" || cache === "coalesced" ? cache : "off") as
      | "hit"
      | "miss"
      | "coalesced"
      | "off",
  };
}

/** `POST /v1/query`: retrieval with k, filter and mode. */
export function registerQuery(app: OpenAPIHono<ServerEnv>, runtime: Runtime): void {
  const route = createRoute({
    method: "post",
    path: "/v1/query",
    operationId: "query",
    summary: "Retrieve the top-k documents for a query",
    description:
      "Dense, lexical (BM25) or hybrid (RRF) retrieval in one collection, with an optional metadata filter. Results are cached per collection.",
    tags: ["retrieval"],
    security: SECURITY,
    middleware: [limitBody(runtime.config.bodyLimitBytes)] as const,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: queryRequestSchema(Math.max(...runtime.config.collections.map((c) => c.maxK))),
          },
        },
      },
    },
    responses: {
      200: {
        description: "Documents best first",
        content: { "application/json": { schema: QueryResponseSchema } },
      },
      ...problemResponses(...AUTHED_BODY),
    },
  });
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const tenant = access(runtime, c, body.collection, "read");
    const result = await tenant.search(body.query, {
      k: body.k,
      filter: (body.filter ?? null) as Filter | null,
      mode: body.mode,
      signal: c.req.raw.signal,
    });
    return c.json(resultBody(tenant.name, result), 200);
  });
}
