import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import type { Runtime } from "../runtime/create-runtime.js";
import type { ServerEnv } from "./context.js";
import { authenticate, lifecycle, onError, sendProblem } from "./middleware.js";
import { problemOf } from "./problem.js";
import { createRateLimiter, type RateLimiter } from "./rate-limit.js";
import { type AnswerHandler, registerAnswer } from "./routes/answer.js";
import { registerDocuments } from "./routes/documents.js";
import { registerFacets } from "./routes/facets.js";
import { registerHealth } from "./routes/health.js";
import { registerQuery } from "./routes/query.js";

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  /** Rate limiter. @default rate-limiter-flexible on the runtime's Redis (in-memory insurance) */
  limiter?: RateLimiter;
  /** Enables `POST /v1/answer` (server-sent events). @default none: the route is not mounted */
  answer?: AnswerHandler;
  /** Mounts MCP over Streamable HTTP here (given by the server builder). */
  mcp?: (app: OpenAPIHono<ServerEnv>) => void;
}

/** The Hono application and its request bookkeeping. */
export interface HttpApp {
  readonly app: OpenAPIHono<ServerEnv>;
  /** Requests being served. */
  readonly inFlight: number;
  /** Refuses new requests with 503 and resolves once none is in flight. */
  drain(): Promise<void>;
}

/** Version of the HTTP API document. */
export const API_VERSION = "1.0.0";

/**
 * Builds the HTTP API on Hono with `@hono/zod-openapi`: request ids (`X-Request-Id`, echoed),
 * JSON logs, CORS only for configured origins, API-key authentication and per-key rate limits
 * on `/v1/*`, `/health` and `/metrics`, body limits, problem+json errors, and the OpenAPI 3.1
 * document at `/openapi.json`.
 */
export function createHttpApp(runtime: Runtime, options: HttpAppOptions = {}): HttpApp {
  const state = { inFlight: 0, draining: false, onIdle: undefined as (() => void) | undefined };
  const app = new OpenAPIHono<ServerEnv>({
    defaultHook: (result) => {
      if (!result.success) throw result.error;
    },
  });
  const limiter = options.limiter ?? createRateLimiter({ redis: runtime.redis });
  const auth = authenticate(runtime, limiter);

  app.use("*", requestId({ generator: () => crypto.randomUUID() }));
  app.use("*", lifecycle(runtime, state));
  app.use("*", async (c, next) => {
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    c.res.headers.set("Cache-Control", "no-store");
  });
  const corsConfig = runtime.config.cors;
  if (corsConfig) {
    app.use(
      "*",
      cors({
        origin: corsConfig.origins,
        allowHeaders: [
          "Authorization",
          "X-API-Key",
          "Content-Type",
          "X-Request-Id",
          "Mcp-Session-Id",
          "Mcp-Protocol-Version",
        ],
        exposeHeaders: [
          "X-Request-Id",
          "Retry-After",
          "RateLimit-Limit",
          "RateLimit-Remaining",
          "RateLimit-Reset",
        ],
        maxAge: 600,
      }),
    );
  }
  for (const path of ["/v1/*", "/health", "/metrics", "/mcp"]) app.use(path, auth);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key: `Authorization: Bearer <key>`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKeyHeader", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
  });
  registerQuery(app, runtime);
  if (options.answer) registerAnswer(app, runtime, options.answer);
  registerDocuments(app, runtime);
  registerFacets(app, runtime);
  registerHealth(app, runtime, state);
  options.mcp?.(app);
  let document: unknown;
  app.get("/openapi.json", (c) => {
    document ??= openApiDocument(app);
    return c.json(document);
  });
  let routes: Array<{ pattern: RegExp; method: string }> | undefined;
  const allowedMethods = (path: string) => {
    routes ??= app.routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({ pattern: new RegExp(`^${r.path.replace(/:[^/]+/g, "[^/]+")}$`), method: r.method }));
    return [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
  };
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length)
      return sendProblem(c, problemOf(405, `${c.req.method} is not allowed here`), {
        Allow: allowed.join(", "),
      });
    return sendProblem(c, problemOf(404, `no route ${c.req.method} ${c.req.path}`));
  });
  app.onError(onError(runtime));

  return {
    app,
    get inFlight() {
      return state.inFlight;
    },
    drain() {
      state.draining = true;
      if (state.inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        state.onIdle = resolve;
      });
    },
  };
}

/**
 * The OpenAPI 3.1 document of the app. The ingest body is declared required here: the route
 * itself takes it optional so that NDJSON bodies reach the handler unparsed.
 */
function openApiDocument(app: OpenAPIHono<ServerEnv>) {
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "ragloom server",
      version: API_VERSION,
      description:
        "Retrieval over ragloom collections: query, ingest, facets, health and metrics. Errors are RFC 9457 problem details.",
    },
  });
  const ingest = doc.paths?.["/v1/documents"]?.post?.requestBody;
  if (ingest && "content" in ingest) ingest.required = true;
  return doc;
}
