import { z } from "zod";

/** A collection name: letters, digits, `_` and `-`, 1 to 64 characters. */
export const COLLECTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const rateLimitSchema = z
  .object({
    /** Requests allowed per window. */
    points: z.number().int().positive().default(600),
    /** Window length in seconds. */
    durationSeconds: z.number().int().positive().default(60),
  })
  .strict();

/** Fields of the answer model's settings (without defaults, so a collection can override some). */
const answerFields = {
  /** OpenAI-compatible chat API base URL (including `/v1`): OpenAI, Ollama, vLLM, llama.cpp … */
  baseURL: z.url("an http(s) URL of an OpenAI-compatible API, including /v1"),
  /** Model name sent to the API. */
  model: z.string().min(1, "a model name"),
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv: z.string().min(1).optional(),
  /** Documents retrieved per answer. */
  k: z.number().int().positive().max(100),
  /** Token budget of the numbered sources in the prompt. */
  maxContextTokens: z.number().int().positive(),
  /** Upper bound on generated tokens. */
  maxTokens: z.number().int().positive(),
  /** Documents scoring below this are not given to the model. @default none */
  minScore: z.number().optional(),
  /** Time limit of one model call in milliseconds. */
  timeoutMs: z.number().int().positive(),
  /** Ask for and verify a quote with each citation. */
  quotes: z.boolean(),
  /** How the model cites: `[n]` markers, or a JSON object under a schema (for small models). */
  citationFormat: z.enum(["markers", "json"]),
};

/** Defaults of the answer settings not given anywhere. */
export const ANSWER_DEFAULTS = {
  k: 4,
  maxContextTokens: 1024,
  maxTokens: 256,
  timeoutMs: 60_000,
  quotes: false,
  citationFormat: "markers" as const,
};

const answerSchema = z
  .object({
    ...answerFields,
    k: answerFields.k.default(ANSWER_DEFAULTS.k),
    maxContextTokens: answerFields.maxContextTokens.default(ANSWER_DEFAULTS.maxContextTokens),
    maxTokens: answerFields.maxTokens.default(ANSWER_DEFAULTS.maxTokens),
    timeoutMs: answerFields.timeoutMs.default(ANSWER_DEFAULTS.timeoutMs),
    quotes: answerFields.quotes.default(ANSWER_DEFAULTS.quotes),
    citationFormat: answerFields.citationFormat.default(ANSWER_DEFAULTS.citationFormat),
  })
  .strict();

/**
 * A collection's answer settings: `false` turns answers off for it; an object overrides the
 * top-level `answer` field by field (and must name `baseURL` and `model` when there is none).
 */
const collectionAnswerSchema = z.union([
  z.literal(false),
  z
    .object(
      Object.fromEntries(Object.entries(answerFields).map(([k, v]) => [k, v.optional()])) as {
        [K in keyof typeof answerFields]: z.ZodOptional<(typeof answerFields)[K]>;
      },
    )
    .strict(),
]);

const apiKeySchema = z
  .object({
    /** Name of the key in logs, metrics and rate-limit counters (never the key itself). */
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, _ . - (1-64)"),
    /** Hex SHA-256 of the key (`hashApiKey(key)` or `ragloom key hash`). */
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "64 hex characters (SHA-256)"),
    /** Collections the key may use; `"*"` allows every collection. */
    collections: z.array(z.string().min(1)).min(1),
    /** What the key may do: `read` (query, facets, documents by id), `write` (ingest, delete), `admin` (deep health, metrics). */
    permissions: z
      .array(z.enum(["read", "write", "admin"]))
      .min(1)
      .default(["read"]),
    /** Per-key rate limit; overrides the server's. */
    rateLimit: rateLimitSchema.partial().optional(),
  })
  .strict();

const storeSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("memory"),
      /** Load the collection from an `InMemoryVectorStore.save` file at start (not written back). */
      path: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("chroma"),
      url: z.url().default("http://localhost:8000"),
      /** Chroma collection. @default the ragloom collection name */
      collection: z.string().min(1).optional(),
      headers: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
]);

const collectionSchema = z
  .object({
    name: z.string().regex(COLLECTION_NAME, "letters, digits, _ and - (1-64 characters)"),
    store: storeSchema.default({ kind: "memory" }),
    /** Retrieval mode used when a request names none. */
    mode: z.enum(["dense", "lexical", "hybrid"]).default("hybrid"),
    /** Documents returned when a request names no `k`. */
    k: z.number().int().positive().max(1000).default(10),
    /** Largest `k` a request may ask for. */
    maxK: z.number().int().positive().max(1000).default(100),
    /** Split documents into chunks on ingest (`false`: index them whole). */
    split: z.boolean().default(true),
    /** Chunk size in embedder tokens (characters when the embedder cannot count tokens). */
    chunkSize: z.number().int().positive().default(200),
    chunkOverlap: z.number().int().nonnegative().default(20),
    cache: z
      .object({
        enabled: z.boolean().default(true),
        ttlMs: z.number().int().nonnegative().default(300_000),
      })
      .strict()
      .default({ enabled: true, ttlMs: 300_000 }),
    /** Answer settings of this collection (see the top-level `answer`). @default the top-level ones */
    answer: collectionAnswerSchema.optional(),
  })
  .strict();

const embedderSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("transformers"),
      model: z.string().min(1).default("Xenova/all-MiniLM-L6-v2"),
      localModelPath: z.string().min(1).optional(),
      offline: z.boolean().default(false),
      dtype: z.enum(["fp32", "q8"]).default("fp32"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("openai-compatible"),
      baseURL: z.url(),
      model: z.string().min(1),
      dimensions: z.number().int().positive(),
      /** Name of the environment variable holding the API key (never the key itself). */
      apiKeyEnv: z.string().min(1).optional(),
    })
    .strict(),
]);

/**
 * The server configuration (file + environment), validated at start. Every field has a default
 * except `collections` and, for the HTTP API, `apiKeys`.
 */
export const serverConfigSchema = z
  .object({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Largest JSON request body in bytes. */
    bodyLimitBytes: z.number().int().positive().default(1_048_576),
    /** Largest ingest body (JSON or NDJSON) in bytes. */
    ingestBodyLimitBytes: z.number().int().positive().default(33_554_432),
    /** Allowed CORS origins; `false` (the default) sends no CORS headers at all. */
    cors: z
      .union([z.literal(false), z.object({ origins: z.array(z.string().min(1)).min(1) }).strict()])
      .default(false),
    /** Redis for the shared result/embedding caches, rate limits and the query tracker. */
    redis: z
      .object({ url: z.string().regex(/^rediss?:\/\//, "a redis:// or rediss:// URL") })
      .strict()
      .optional(),
    rateLimit: rateLimitSchema.default({ points: 600, durationSeconds: 60 }),
    apiKeys: z.array(apiKeySchema).default([]),
    collections: z.array(collectionSchema).min(1),
    /** Collection used when a request names none. @default the first collection */
    defaultCollection: z.string().optional(),
    embedder: embedderSchema.default({
      kind: "transformers",
      model: "Xenova/all-MiniLM-L6-v2",
      offline: false,
      dtype: "fp32",
    }),
    /** Cache query and document embeddings (L1 in process, L2 in Redis when configured). */
    embeddingCache: z.boolean().default(true),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** How long a shutdown waits for in-flight requests before closing connections, in ms. */
    shutdownTimeoutMs: z.number().int().nonnegative().default(10_000),
    /** Answers with citations (`POST /v1/answer`, MCP `answer`) from an OpenAI-compatible model. @default off */
    answer: answerSchema.optional(),
    /** Serve MCP over Streamable HTTP at `/mcp` next to the HTTP API. */
    mcpHttp: z.boolean().default(true),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    cfg.collections.forEach((c, i) => {
      if (names.has(c.name))
        ctx.addIssue({ code: "custom", path: ["collections", i, "name"], message: `duplicate "${c.name}"` });
      names.add(c.name);
      if (c.k > c.maxK) ctx.addIssue({ code: "custom", path: ["collections", i, "k"], message: "k > maxK" });
      if (c.split && c.chunkOverlap >= c.chunkSize)
        ctx.addIssue({
          code: "custom",
          path: ["collections", i, "chunkOverlap"],
          message: "chunkOverlap must be smaller than chunkSize",
        });
      if (c.answer && !cfg.answer)
        for (const field of ["baseURL", "model"] as const)
          if (c.answer[field] === undefined)
            ctx.addIssue({
              code: "custom",
              path: ["collections", i, "answer", field],
              message: `required: there is no top-level answer.${field} to inherit`,
            });
    });
    if (cfg.defaultCollection !== undefined && !names.has(cfg.defaultCollection))
      ctx.addIssue({ code: "custom", path: ["defaultCollection"], message: "not a configured collection" });
    const ids = new Set<string>();
    cfg.apiKeys.forEach((k, i) => {
      if (ids.has(k.id))
        ctx.addIssue({ code: "custom", path: ["apiKeys", i, "id"], message: `duplicate "${k.id}"` });
      ids.add(k.id);
      for (const c of k.collections)
        if (c !== "*" && !names.has(c))
          ctx.addIssue({
            code: "custom",
            path: ["apiKeys", i, "collections"],
            message: `unknown collection "${c}"`,
          });
    });
  });

/** A validated server configuration (all defaults applied). */
export type ServerConfig = z.output<typeof serverConfigSchema>;
/** What a configuration file or object may contain (defaults optional). */
export type ServerConfigInput = z.input<typeof serverConfigSchema>;
/** One configured collection. */
export type CollectionConfig = ServerConfig["collections"][number];
/** One configured API key (hashed). */
export type ApiKeyConfig = ServerConfig["apiKeys"][number];
/** A rate limit: `points` requests per `durationSeconds`. */
export interface RateLimitConfig {
  /** Requests allowed per window. @default 600 */
  points: number;
  /** Window length in seconds. @default 60 */
  durationSeconds: number;
}
/** The answer model and its settings. */
export type AnswerConfig = z.output<typeof answerSchema>;

/**
 * The answer settings of one collection: the top-level `answer` overridden by the collection's
 * own, with {@link ANSWER_DEFAULTS} for the rest.
 * @returns undefined when answers are off for the collection (or it is not configured).
 */
export function answerConfigOf(config: ServerConfig, collection: string): AnswerConfig | undefined {
  const own = config.collections.find((c) => c.name === collection)?.answer;
  if (own === false || (!own && !config.answer)) return undefined;
  const merged = { ...ANSWER_DEFAULTS, ...config.answer };
  for (const [key, value] of Object.entries(own ?? {}))
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  return merged as AnswerConfig;
}
/** What an API key may do. */
export type Permission = ApiKeyConfig["permissions"][number];
