import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Runtime } from "../../runtime/create-runtime.js";
import { AUTHED, access, problemResponses, SECURITY, type ServerEnv } from "../context.js";
import { FacetParamsSchema, FacetQuerySchema, FacetResponseSchema } from "../schemas.js";

/** `GET /v1/facets/{field}`: distinct values of a metadata field with document counts. */
export function registerFacets(app: OpenAPIHono<ServerEnv>, runtime: Runtime): void {
  const route = createRoute({
    method: "get",
    path: "/v1/facets/{field}",
    operationId: "listFacets",
    summary: "Distinct values of a metadata field and how many documents carry each",
    description:
      'For questions such as "which technologies are indexed". Counts source documents (not chunks); an array-valued field counts each element.',
    tags: ["retrieval"],
    security: SECURITY,
    request: { params: FacetParamsSchema, query: FacetQuerySchema },
    responses: {
      200: {
        description: "Values, most frequent first",
        content: { "application/json": { schema: FacetResponseSchema } },
      },
      ...problemResponses(...AUTHED),
    },
  });
  app.openapi(route, async (c) => {
    const { field } = c.req.valid("param");
    const { collection, limit } = c.req.valid("query");
    const tenant = access(runtime, c, collection, "read");
    return c.json({ collection: tenant.name, ...tenant.facet(field, limit) }, 200);
  });
}
