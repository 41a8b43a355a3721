import type { Context, MiddlewareHandler } from "hono";
import { Counter, Gauge, Histogram } from "prom-client";
import type { Runtime } from "../runtime/create-runtime.js";
import type { ServerEnv } from "./context.js";
import { type Problem, problemOf, toProblem } from "./problem.js";
import type { RateLimiter } from "./rate-limit.js";

/** Sends a problem as `application/problem+json` with the request id. */
export function sendProblem(
  c: Context<ServerEnv>,
  problem: Problem,
  headers: Record<string, string> = {},
): Response {
  const body: Problem = { ...problem, instance: c.req.path, requestId: c.get("requestId") };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: {
      "Content-Type": "application/problem+json",
      "X-Request-Id": c.get("requestId") ?? "",
      ...headers,
    },
  });
}

/** Where the request came from, for logs (never a header value that could hold a secret). */
function routeOf(c: Context): string {
  return c.req.routePath && c.req.routePath !== "/*" ? c.req.routePath : "unmatched";
}

/** Tracks in-flight requests, refuses new ones while draining, logs one line per request and counts it. */
export function lifecycle(
  runtime: Runtime,
  state: { inFlight: number; draining: boolean; onIdle?: () => void },
): MiddlewareHandler<ServerEnv> {
  const registers = [runtime.registry];
  const requests = new Counter({
    name: "ragloom_http_requests_total",
    help: "HTTP requests by route, method and status",
    labelNames: ["method", "route", "status"],
    registers,
  });
  const duration = new Histogram({
    name: "ragloom_http_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: "ragloom_http_in_flight_requests",
    help: "HTTP requests being served",
    registers,
    collect() {
      this.set(state.inFlight);
    },
  });
  return async (c, next) => {
    if (state.draining) {
      return sendProblem(c, problemOf(503, "the server is shutting down"), {
        Connection: "close",
        "Retry-After": "1",
      });
    }
    const t0 = performance.now();
    state.inFlight++;
    try {
      await next();
    } finally {
      state.inFlight--;
      const ms = performance.now() - t0;
      const route = routeOf(c);
      const status = c.res.status;
      requests.inc({ method: c.req.method, route, status: String(status) });
      duration.observe({ method: c.req.method, route }, ms / 1000);
      const principal = c.get("principal");
      // a client that went away is not a server error (its 503 is never seen)
      const aborted = status === 503 && c.req.raw.signal.aborted;
      runtime.logger[status >= 500 && !aborted ? "error" : "info"](
        {
          requestId: c.get("requestId"),
          method: c.req.method,
          path: c.req.path,
          route,
          status,
          durationMs: Math.round(ms * 100) / 100,
          ...(principal && { key: principal.id }),
          ...(aborted && { aborted: true }),
        },
        "request",
      );
      if (state.draining && state.inFlight === 0) state.onIdle?.();
    }
  };
}

/** The presented API key: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(c: Context): string | undefined {
  const auth = c.req.header("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1];
  }
  return c.req.header("x-api-key") ?? undefined;
}

/** 401 unless a configured key is presented; then the per-key rate limit (429 with `Retry-After`). */
export function authenticate(runtime: Runtime, limiter: RateLimiter): MiddlewareHandler<ServerEnv> {
  const limited = new Counter({
    name: "ragloom_rate_limited_total",
    help: "Requests refused by the rate limiter, by key id and counter store",
    labelNames: ["key", "store"],
    registers: [runtime.registry],
  });
  return async (c, next) => {
    const principal = runtime.keyring.authenticate(presentedKey(c));
    if (!principal) {
      return sendProblem(c, problemOf(401, "a valid API key is required (Authorization: Bearer <key>)"), {
        "WWW-Authenticate": 'Bearer realm="ragloom"',
      });
    }
    c.set("principal", principal);
    const limit = { ...runtime.config.rateLimit, ...principal.rateLimit };
    const decision = await limiter.consume(principal.id, limit);
    const headers = {
      "RateLimit-Limit": String(decision.limit),
      "RateLimit-Remaining": String(decision.remaining),
      "RateLimit-Reset": String(decision.resetSeconds),
    };
    if (!decision.allowed) {
      limited.inc({ key: principal.id, store: decision.store });
      return sendProblem(
        c,
        problemOf(429, `rate limit of ${decision.limit} requests per ${limit.durationSeconds} s exceeded`),
        {
          ...headers,
          "Retry-After": String(decision.resetSeconds),
        },
      );
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}

/** The error handler: every error becomes a problem; unexpected ones are logged with their stack. */
export function onError(runtime: Runtime) {
  return (error: unknown, c: Context<ServerEnv>): Response => {
    const { problem, headers, unexpected } = toProblem(error);
    if (unexpected) runtime.logger.error({ requestId: c.get("requestId"), err: error }, "unexpected error");
    return sendProblem(c, problem, headers);
  };
}
