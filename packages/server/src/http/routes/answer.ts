import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Filter } from "@ragloom/core";
import { streamSSE } from "hono/streaming";
import type { Runtime } from "../../runtime/create-runtime.js";
import type { Tenant } from "../../runtime/tenant.js";
import { AUTHED_BODY, access, problemResponses, SECURITY, type ServerEnv } from "../context.js";
import { toProblem } from "../problem.js";
import { AnswerResponseSchema, answerRequestSchema } from "../schemas.js";
import { limitBody } from "./query.js";

/** One streamed part of an answer (`type` becomes the server-sent event name). */
export interface AnswerPart {
  type: string;
  [key: string]: unknown;
}

/** A request to answer a question over one collection. */
export interface AnswerInput {
  query: string;
  tenant: Tenant;
  k?: number;
  filter?: Filter | null;
  signal: AbortSignal;
}

/** Answers questions as a stream of parts (e.g. sources, text deltas, citations, finish). */
export interface AnswerHandler {
  stream(input: AnswerInput): AsyncIterable<AnswerPart>;
}

/** The `AnswerResponse` body of a `done` part's answer: what a client needs, without the retrieved documents. */
function answerBody(answer: Record<string, unknown>, collection: string, requestId: string | undefined) {
  const { id, text, grounded, ungroundedReason, citations, sources, finishReason, modelId, usage, timings } =
    answer;
  return {
    id,
    collection,
    text,
    grounded,
    ...(ungroundedReason !== undefined && { ungroundedReason }),
    citations,
    sources,
    ...(finishReason !== undefined && { finishReason }),
    modelId,
    usage,
    timings,
    ...(requestId && { requestId }),
  } as z.infer<typeof AnswerResponseSchema>;
}

/**
 * `POST /v1/answer`: a grounded answer streamed as server-sent events, one event per part, or
 * (`stream: false`) one JSON `AnswerResponse`. Auth, scope, rate limit, body limit and tenant
 * rules are those of `/v1/query` (read permission on the collection).
 */
export function registerAnswer(app: OpenAPIHono<ServerEnv>, runtime: Runtime, handler: AnswerHandler): void {
  const route = createRoute({
    method: "post",
    path: "/v1/answer",
    operationId: "answer",
    summary: "Answer a question from a collection, streamed as server-sent events",
    description:
      "Retrieves context and streams the answer: each part is an SSE event named by its `type`, with the part as JSON data. An error after the stream started is sent as an `error` event holding a problem.",
    tags: ["retrieval"],
    security: SECURITY,
    middleware: [limitBody(runtime.config.bodyLimitBytes)] as const,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: answerRequestSchema(Math.max(...runtime.config.collections.map((c) => c.maxK))),
          },
        },
      },
    },
    responses: {
      200: {
        description: "Server-sent events (default), or the whole answer with `stream: false`",
        content: {
          "text/event-stream": { schema: z.string() },
          "application/json": { schema: AnswerResponseSchema },
        },
      },
      ...problemResponses(...AUTHED_BODY),
    },
  });
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const tenant = access(runtime, c, body.collection, "read");
    const signal = c.req.raw.signal;
    const parts = handler
      .stream({
        query: body.query,
        tenant,
        k: body.k,
        filter: (body.filter ?? null) as Filter | null,
        signal,
      })
      [Symbol.asyncIterator]();
    if (body.stream === false) {
      try {
        for (let r = await parts.next(); !r.done; r = await parts.next())
          if (r.value.type === "done")
            return c.json(
              answerBody(r.value.answer as Record<string, unknown>, tenant.name, c.get("requestId")),
              200,
            );
      } finally {
        await parts.return?.();
      }
      throw new Error("the answer stream ended without a done part");
    }
    // the first part is awaited before the stream opens, so early errors are plain problems
    const first = await parts.next();
    return streamSSE(c, async (sse) => {
      let id = 0;
      try {
        for (let r = first; !r.done; r = await parts.next()) {
          await sse.writeSSE({ event: r.value.type, data: JSON.stringify(r.value), id: String(id++) });
          if (signal.aborted) break;
        }
      } catch (error) {
        const { problem, unexpected } = toProblem(error);
        if (unexpected)
          runtime.logger.error({ requestId: c.get("requestId"), err: error }, "answer stream failed");
        await sse.writeSSE({
          event: "error",
          data: JSON.stringify({ ...problem, requestId: c.get("requestId") }),
        });
      } finally {
        await parts.return?.();
      }
    });
  });
}
