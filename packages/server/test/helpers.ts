import { Writable } from "node:stream";
import type { Document, Embedder } from "@ragloom/core";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import { hashApiKey, type ServerConfigInput } from "@ragloom/server";
import pino from "pino";
import { requireModelDir } from "../../../test/services.js";

/** The real all-MiniLM-L6-v2 from the local model directory. */
export function loadMiniLM(): Promise<Embedder> {
  return createTransformersEmbedder({ localModelPath: requireModelDir(), offline: true });
}

/** Plain-text API keys used by the tests, and their configuration entries (hashed). */
export const KEYS = {
  admin: "rgl_test_admin_key_0000000000000000000000",
  docsReader: "rgl_test_docs_reader_00000000000000000000",
  docsWriter: "rgl_test_docs_writer_00000000000000000000",
  notesReader: "rgl_test_notes_reader_0000000000000000000",
  limited: "rgl_test_limited_key_00000000000000000000",
} as const;

export function keyConfig(): NonNullable<ServerConfigInput["apiKeys"]> {
  return [
    {
      id: "admin",
      sha256: hashApiKey(KEYS.admin),
      collections: ["*"],
      permissions: ["read", "write", "admin"],
    },
    { id: "docs-reader", sha256: hashApiKey(KEYS.docsReader), collections: ["docs"], permissions: ["read"] },
    {
      id: "docs-writer",
      sha256: hashApiKey(KEYS.docsWriter),
      collections: ["docs"],
      permissions: ["read", "write"],
    },
    {
      id: "notes-reader",
      sha256: hashApiKey(KEYS.notesReader),
      collections: ["notes"],
      permissions: ["read"],
    },
    {
      id: "limited",
      sha256: hashApiKey(KEYS.limited),
      collections: ["docs"],
      permissions: ["read"],
      rateLimit: { points: 3, durationSeconds: 60 },
    },
  ];
}

/** A small technical corpus with metadata for facets and filters. */
export const DOCS: Document[] = [
  {
    id: "redis-cache",
    text: "Redis is an in-memory data store used as a cache. Set a time to live with EXPIRE so keys age out.",
    metadata: { technology: "redis", kind: "guide", year: 2023, tags: ["cache", "ttl"] },
  },
  {
    id: "redis-streams",
    text: "Redis streams are an append-only log with consumer groups for event processing.",
    metadata: { technology: "redis", kind: "reference", year: 2022, tags: ["streams"] },
  },
  {
    id: "postgres-index",
    text: "PostgreSQL B-tree indexes speed up equality and range queries; use EXPLAIN ANALYZE to check plans.",
    metadata: { technology: "postgres", kind: "guide", year: 2021, tags: ["index"] },
  },
  {
    id: "k8s-probes",
    text: "Kubernetes liveness and readiness probes tell the kubelet when to restart a container or stop sending traffic.",
    metadata: { technology: "kubernetes", kind: "guide", year: 2024, tags: ["health"] },
  },
  {
    id: "retry-backoff",
    text: "Retry failed requests with exponential backoff and jitter so that clients do not retry in lockstep.",
    metadata: { technology: "http", kind: "guide", year: 2020, tags: ["retry", "resilience"] },
  },
];

/** A pino logger writing into an array of parsed JSON lines (to assert on logs). */
export function captureLogger(level = "info") {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split("\n").filter(Boolean)) {
        raw.push(l);
        lines.push(JSON.parse(l));
      }
      cb();
    },
  });
  const logger = pino({ level, redact: ["req.headers.authorization"] }, stream);
  return { logger, lines, raw };
}

/** A response read by {@link api}. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape, asserted on by the tests
  json: any;
}

/** Options of one {@link api} call. */
export interface ApiInit {
  method?: string;
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: string;
}

/** fetch with a bearer key and JSON body. */
export function api(base: string): (path: string, init?: ApiInit) => Promise<ApiResponse> {
  return async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key) headers.Authorization = `Bearer ${init.key}`;
    let body: string | undefined = init.raw;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers["Content-Type"] ??= "application/json";
    }
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? (body ? "POST" : "GET"),
      headers,
      body,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}
