import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Runtime } from "../../runtime/create-runtime.js";
import { problemResponses, requirePermission, SECURITY, type ServerEnv } from "../context.js";
import { LivenessSchema, ReadinessSchema } from "../schemas.js";

/** `/health/live`, `/health/ready` (public) and `/health` (deep), `/metrics` (admin keys). */
export function registerHealth(
  app: OpenAPIHono<ServerEnv>,
  runtime: Runtime,
  state: { draining: boolean },
): void {
  const json = (schema: typeof ReadinessSchema) => ({ "application/json": { schema } });
  app.openapi(
    createRoute({
      method: "get",
      path: "/health/live",
      operationId: "liveness",
      summary: "Liveness: the process answers (no I/O)",
      tags: ["operations"],
      responses: {
        200: { description: "Alive", content: { "application/json": { schema: LivenessSchema } } },
        ...problemResponses(500, 503),
      },
    }),
    (c) => c.json(runtime.readiness.liveness(), 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/health/ready",
      operationId: "readiness",
      summary: "Readiness: every store answers (Redis being down only degrades)",
      tags: ["operations"],
      responses: {
        200: { description: "Ready (up or degraded)", content: json(ReadinessSchema) },
        503: {
          description: "Not ready: a store is down or the server is shutting down",
          content: json(ReadinessSchema),
        },
        ...problemResponses(500),
      },
    }),
    async (c) => {
      const report = await runtime.readiness.readiness({ signal: c.req.raw.signal });
      const body = { ...report, ...(state.draining && { status: "down" as const, draining: true }) };
      return c.json(body, body.status === "down" ? 503 : 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      operationId: "health",
      summary: "Deep health: every dependency (stores, Redis, embedder) with latency and breaker state",
      tags: ["operations"],
      security: SECURITY,
      responses: {
        200: { description: "Up or degraded", content: json(ReadinessSchema) },
        503: { description: "A critical dependency is down", content: json(ReadinessSchema) },
        ...problemResponses(401, 403, 429, 500),
      },
    }),
    async (c) => {
      requirePermission(c, "admin");
      const report = await runtime.deepHealth.health({ signal: c.req.raw.signal });
      return c.json(report, report.status === "down" ? 503 : 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/metrics",
      operationId: "metrics",
      summary: "Prometheus metrics (text exposition format)",
      tags: ["operations"],
      security: SECURITY,
      responses: {
        200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } },
        ...problemResponses(401, 403, 429, 500),
      },
    }),
    async (c) => {
      requirePermission(c, "admin");
      const text = await runtime.registry.metrics();
      return c.text(text, 200, { "Content-Type": runtime.registry.contentType });
    },
  );
}
