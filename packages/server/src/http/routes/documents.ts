import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Document } from "@ragloom/core";
import { HTTPException } from "hono/http-exception";
import { InvalidBodyError, NotFoundError } from "../../errors.js";
import type { Runtime } from "../../runtime/create-runtime.js";
import { AUTHED, AUTHED_BODY, access, problemResponses, SECURITY, type ServerEnv } from "../context.js";
import {
  CollectionQuerySchema,
  DocumentIdParamSchema,
  DocumentInputSchema,
  IngestRequestSchema,
  IngestResponseSchema,
  StoredDocumentSchema,
} from "../schemas.js";
import { limitBody } from "./query.js";

const NDJSON = /^application\/(x-ndjson|jsonl|x-jsonlines)\b/i;

/** Parses an NDJSON body: one {@link DocumentInputSchema} per non-blank line. */
export function parseNdjson(text: string): Document[] {
  const docs: Document[] = [];
  const errors: Array<{ path: string; message: string }> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || errors.length >= 20) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      errors.push({ path: `/line/${i + 1}`, message: "not valid JSON" });
      return;
    }
    const r = DocumentInputSchema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues.slice(0, 5))
        errors.push({ path: `/line/${i + 1}/${issue.path.join("/")}`, message: issue.message });
      return;
    }
    docs.push({ id: r.data.id, text: r.data.text, metadata: r.data.metadata ?? {} });
  });
  if (errors.length) throw new InvalidBodyError("invalid NDJSON body", errors);
  if (docs.length === 0)
    throw new InvalidBodyError("no documents in the body", [{ path: "/", message: "empty" }]);
  return docs;
}

/** `POST /v1/documents`, `GET /v1/documents/{id}`, `DELETE /v1/documents/{id}`. */
export function registerDocuments(app: OpenAPIHono<ServerEnv>, runtime: Runtime): void {
  const ingest = createRoute({
    method: "post",
    path: "/v1/documents",
    operationId: "ingestDocuments",
    summary: "Ingest (upsert) documents",
    description:
      "Splits, embeds and stores documents; re-sending an id replaces that document. Send JSON `{ documents: [...] }` or NDJSON (`application/x-ndjson`, one document per line, `?collection=`), up to the ingest body limit.",
    tags: ["documents"],
    security: SECURITY,
    middleware: [limitBody(runtime.config.ingestBodyLimitBytes)] as const,
    request: {
      query: CollectionQuerySchema,
      body: {
        required: false,
        content: {
          "application/json": { schema: IngestRequestSchema },
          "application/x-ndjson": {
            schema: z.string().openapi({ description: "One DocumentInput JSON object per line" }),
          },
        },
      },
    },
    responses: {
      200: {
        description: "Counts of what was stored",
        content: { "application/json": { schema: IngestResponseSchema } },
      },
      ...problemResponses(...AUTHED_BODY),
    },
  });
  app.openapi(ingest, async (c) => {
    const type = c.req.header("content-type") ?? "";
    let docs: Document[];
    let collection: string | undefined = c.req.valid("query").collection;
    if (NDJSON.test(type)) {
      docs = parseNdjson(await c.req.text());
    } else {
      const body = c.req.valid("json") as Partial<z.infer<typeof IngestRequestSchema>>;
      if (!body.documents)
        throw new HTTPException(415, { message: "send application/json or application/x-ndjson" });
      collection = body.collection ?? collection;
      docs = body.documents.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata ?? {} }));
    }
    const tenant = access(runtime, c, collection, "write");
    const ids = new Set<string>();
    for (const d of docs) {
      if (ids.has(d.id))
        throw new InvalidBodyError(`duplicate document id "${d.id}"`, [
          { path: "/documents", message: `duplicate id "${d.id}"` },
        ]);
      ids.add(d.id);
    }
    const result = await tenant.ingest(docs, c.req.raw.signal);
    return c.json({ collection: tenant.name, ids: docs.map((d) => d.id), ...result }, 200);
  });

  const get = createRoute({
    method: "get",
    path: "/v1/documents/{id}",
    operationId: "getDocument",
    summary: "A source document by id, rebuilt from its chunks",
    tags: ["documents"],
    security: SECURITY,
    request: { params: DocumentIdParamSchema, query: CollectionQuerySchema },
    responses: {
      200: { description: "The document", content: { "application/json": { schema: StoredDocumentSchema } } },
      ...problemResponses(...AUTHED),
    },
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = access(runtime, c, c.req.valid("query").collection, "read");
    const doc = await tenant.get(id, c.req.raw.signal);
    if (!doc) throw new NotFoundError(`no document "${id}" in collection "${tenant.name}"`);
    return c.json({ collection: tenant.name, ...doc }, 200);
  });

  const del = createRoute({
    method: "delete",
    path: "/v1/documents/{id}",
    operationId: "deleteDocument",
    summary: "Delete a source document and all its chunks",
    tags: ["documents"],
    security: SECURITY,
    request: { params: DocumentIdParamSchema, query: CollectionQuerySchema },
    responses: {
      204: { description: "Deleted" },
      ...problemResponses(...AUTHED),
    },
  });
  app.openapi(del, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = access(runtime, c, c.req.valid("query").collection, "write");
    if (!(await tenant.remove(id, c.req.raw.signal)))
      throw new NotFoundError(`no document "${id}" in collection "${tenant.name}"`);
    return c.body(null, 204);
  });
}
