/**
 * Every request and response schema of the HTTP API, in one place: the routes validate with
 * them and the OpenAPI 3.1 document at `/openapi.json` is generated from them.
 */
import { z } from "@hono/zod-openapi";
import { COLLECTION_NAME } from "../config/schema.js";

const FIELD = "[A-Za-z_][A-Za-z0-9_.:-]{0,127}";
/**
 * A query needs one searchable character: not white space, a control, format (zero-width,
 * bidirectional) or private-use character (close to what the retriever rejects).
 */
const SEARCHABLE =
  "[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb\\ue000-\\uf8ff]";
const queryText = z
  .string()
  .min(1)
  .max(8192)
  .regex(new RegExp(SEARCHABLE), "needs a letter, digit, punctuation or symbol");
const UNSAFE = new Set(["__proto__", "constructor", "prototype"]);
/** Chunk bookkeeping keys the retriever sets itself. */
const RESERVED = new Set(["parentId", "parentVersion", "chunkIndex", "start", "end"]);
const fieldName = z
  .string()
  .regex(new RegExp(`^${FIELD}$`))
  .refine((f) => !UNSAFE.has(f), "unsafe field name");
const scalar = z.union([z.string().max(4096), z.number(), z.boolean()]);
const scalarList = z.union([
  z.array(z.string().max(4096)).min(1).max(1000),
  z.array(z.number()).min(1).max(1000),
  z.array(z.boolean()).min(1).max(1000),
]);

/** A metadata filter in ragloom's filter IR. Dates are epoch milliseconds. */
export const FilterSchema: z.ZodType<unknown> = z
  .lazy(() =>
    z.union([
      z.object({ op: z.enum(["eq", "ne"]), field: fieldName, value: scalar }).strict(),
      z.object({ op: z.enum(["gt", "gte", "lt", "lte"]), field: fieldName, value: z.number() }).strict(),
      z.object({ op: z.enum(["in", "nin"]), field: fieldName, value: scalarList }).strict(),
      z.object({ op: z.literal("contains"), field: fieldName, value: scalar }).strict(),
      z
        .object({
          op: z.literal("contains"),
          field: z.literal("$document"),
          value: z.string().min(1).max(4096),
        })
        .strict(),
      z.object({ op: z.enum(["and", "or"]), filters: z.array(FilterSchema).min(1).max(64) }).strict(),
      z.object({ op: z.literal("not"), filter: FilterSchema }).strict(),
    ]),
  )
  .openapi("Filter", {
    description:
      'ragloom filter IR: comparisons `{ op, field, value }` (eq, ne, gt, gte, lt, lte, in, nin, contains), `{ op: "and"|"or", filters }`, `{ op: "not", filter }`. `$document` with `contains` matches the text.',
  });

const collection = z
  .string()
  .regex(COLLECTION_NAME)
  .openapi({ description: "Collection name; the server's default collection when absent." });

const metadataValue = z.union([scalar, scalarList]);
/** Flat document metadata (keys `parentId`, `chunkIndex`, `start`, `end` are reserved for chunks). */
export const MetadataSchema = z
  .record(
    fieldName.refine((k) => !RESERVED.has(k), "reserved for chunk bookkeeping"),
    metadataValue,
  )
  // propertyNames is JSON Schema 2020-12 (OpenAPI 3.1), missing from the library's 3.0-based metadata type
  .openapi("Metadata", {
    description:
      "Flat metadata; keys `parentId`, `parentVersion`, `chunkIndex`, `start`, `end` are reserved.",
    propertyNames: { type: "string", pattern: `^${FIELD}$` },
  } as { description: string });

/** `POST /v1/query` body; `maxK` is the largest `maxK` of the server's collections. */
export const queryRequestSchema = (maxK: number) =>
  z
    .object({
      query: queryText,
      k: z
        .number()
        .int()
        .min(1)
        .max(maxK)
        .optional()
        .openapi({ description: "Results to return (at most the collection's maxK)." }),
      filter: FilterSchema.nullable().optional(),
      mode: z.enum(["dense", "lexical", "hybrid"]).optional(),
      collection: collection.optional(),
    })
    .strict()
    .openapi("QueryRequest");

export const ScoredDocumentSchema = z
  .object({
    id: z.string().openapi({ description: "Chunk id (`<document id>#<chunk index>`)." }),
    documentId: z.string().openapi({ description: "Id of the source document." }),
    text: z.string(),
    score: z.number().openapi({
      description: "Cosine similarity (dense), BM25 score (lexical) or RRF score (hybrid); higher is better.",
    }),
    metadata: z.record(z.string(), metadataValue),
  })
  .openapi("ScoredDocument");

const timings = z.record(z.string(), z.number()).openapi({ description: "Milliseconds per stage." });

export const QueryResponseSchema = z
  .object({
    collection: z.string(),
    documents: z.array(ScoredDocumentSchema),
    timings,
    cache: z.enum(["hit", "miss", "coalesced", "off"]),
  })
  .openapi("QueryResponse");

export const DocumentInputSchema = z
  .object({
    id: z.string().min(1).max(512),
    text: z.string().max(1_000_000),
    metadata: MetadataSchema.optional(),
  })
  .strict()
  .openapi("DocumentInput");

export const IngestRequestSchema = z
  .object({
    collection: collection.optional(),
    documents: z.array(DocumentInputSchema).min(1).max(10_000),
  })
  .strict()
  .openapi("IngestRequest");

export const IngestResponseSchema = z
  .object({
    collection: z.string(),
    /** Ids of the documents received, in request order. */
    ids: z.array(z.string()),
    documents: z.number().int(),
    chunks: z.number().int(),
    written: z.number().int().optional(),
    unchanged: z.number().int().optional(),
  })
  .openapi("IngestResponse");

export const StoredDocumentSchema = z
  .object({
    collection: z.string(),
    id: z.string(),
    text: z.string(),
    metadata: z.record(z.string(), metadataValue),
    chunks: z.number().int(),
  })
  .openapi("StoredDocument");

export const FacetResponseSchema = z
  .object({
    collection: z.string(),
    field: z.string(),
    values: z.array(z.object({ value: scalar, count: z.number().int() })),
    documents: z.number().int().openapi({ description: "Source documents that have the field." }),
    distinct: z.number().int().openapi({ description: "Distinct values before `limit`." }),
  })
  .openapi("FacetResponse");

export const CollectionQuerySchema = z.object({ collection: collection.optional() });

export const DocumentIdParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(512)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const FacetParamsSchema = z.object({
  field: fieldName.openapi({ param: { name: "field", in: "path" } }),
});

export const FacetQuerySchema = z.object({
  collection: collection.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional().openapi({
    type: "integer",
    minimum: 1,
    maximum: 1000,
    description: "Most values returned (default 100).",
  }),
});

export const LivenessSchema = z
  .object({ status: z.literal("up"), uptimeSeconds: z.number(), checkedAt: z.string() })
  .openapi("Liveness");

const dependency = z.object({
  status: z.enum(["up", "down"]),
  critical: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional(),
  breaker: z.enum(["closed", "open", "half-open"]).optional(),
});

export const ReadinessSchema = z
  .object({
    status: z.enum(["up", "degraded", "down"]),
    checkedAt: z.string(),
    durationMs: z.number(),
    dependencies: z.record(z.string(), dependency),
    uptimeSeconds: z.number().optional(),
    draining: z.boolean().optional(),
  })
  .openapi("Readiness");

/** RFC 9457 problem details. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/** `POST /v1/answer` body; `maxK` as for {@link queryRequestSchema}. */
export const answerRequestSchema = (maxK: number) =>
  z
    .object({
      query: queryText,
      k: z.number().int().min(1).max(maxK).optional(),
      filter: FilterSchema.nullable().optional(),
      collection: collection.optional(),
      stream: z.boolean().optional().openapi({
        description:
          "Stream the answer as server-sent events (default `true`); `false` returns one JSON `AnswerResponse`.",
      }),
    })
    .strict()
    .openapi("AnswerRequest");

const answerCitation = z.object({
  source: z.number().int().openapi({ description: "The source number the model wrote (`[n]`)." }),
  documentId: z.string().optional(),
  valid: z.boolean().openapi({ description: "The number names a source (and its quote occurs in it)." }),
  problem: z.enum(["unknown-source", "quote-missing", "quote-not-found"]).optional(),
  quote: z.string().optional(),
  marker: z.string(),
  offset: z.number().int(),
});

const answerSource = z.object({
  n: z.number().int(),
  id: z.string(),
  title: z.string().optional(),
  text: z.string().openapi({ description: "The text the model saw." }),
  truncated: z.boolean(),
  tokens: z.number().int(),
  score: z.number(),
  metadata: z.record(z.string(), z.unknown()),
});

/** `POST /v1/answer` with `stream: false`: the whole answer. */
export const AnswerResponseSchema = z
  .object({
    id: z.string().openapi({ description: "Answer id." }),
    collection: z.string(),
    text: z.string().openapi({ description: "The answer, without rejected citation markers." }),
    grounded: z
      .boolean()
      .openapi({ description: "At least one valid citation and the model did not decline." }),
    ungroundedReason: z.enum(["no-context", "model-declined", "no-valid-citation"]).optional(),
    citations: z.array(answerCitation),
    sources: z.array(answerSource),
    finishReason: z.string().optional(),
    modelId: z.string(),
    usage: z.object({
      contextTokens: z.number().int(),
      promptTokens: z.number().int().optional(),
      completionTokens: z.number().int().optional(),
      completionTokensEstimated: z.boolean(),
      tokenizer: z.string(),
    }),
    timings: z.record(z.string(), z.number()).openapi({ description: "Milliseconds per stage." }),
    requestId: z.string().optional(),
  })
  .openapi("AnswerResponse");
