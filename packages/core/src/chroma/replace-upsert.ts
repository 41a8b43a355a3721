import type { Collection } from "chromadb";
import { ServiceError } from "../errors/errors.js";
import type { Metadata } from "../types/document.js";
import type { VectorRecord } from "../types/vector-store.js";

/** Chroma's JSON metadata on the wire: `null` removes a key in an upsert. */
type WireMetadata = Record<string, Metadata[string] | null>;

/** The generated HTTP client of chromadb's collections (not part of its typed API). */
interface RawApiClient {
  post(options: {
    url: string;
    path: Record<string, string>;
    body: unknown;
    headers: Record<string, string>;
    security: Array<{ name: string; type: "apiKey" }>;
  }): Promise<unknown>;
}

const UPSERT_URL = "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_id}/upsert";

function rawClient(collection: Collection): RawApiClient | undefined {
  const api = (collection as unknown as { apiClient?: Partial<RawApiClient> }).apiClient;
  return typeof api?.post === "function" ? (api as RawApiClient) : undefined;
}

/**
 * Upserts one batch so that each record's metadata is replaced, not merged, in ONE request.
 *
 * Chroma's upsert merges new metadata keys into a record's old ones; a key is removed only
 * when the request sets it to `null` (which the chromadb JS client strips from metadata before
 * sending). So the stored metadata of the batch is read first (`get`), and when some record
 * has keys its new metadata lacks, the batch is sent through the client's own HTTP client
 * (same URL, headers, auth and error handling) with those keys set to `null`; otherwise
 * through the ordinary `collection.upsert`. The write is a single request, so a failure leaves
 * every record of the batch either old or new, never deleted. A key added by another writer
 * between the read and the write survives (as with any merge).
 * @throws ServiceError (not retryable) when stale keys must be removed but the installed
 *   chromadb client has no HTTP client to send them with; the client's errors otherwise.
 */
export async function upsertReplacingMetadata(collection: Collection, batch: VectorRecord[]): Promise<void> {
  const ids = batch.map((r) => r.id);
  const stored = await collection.get({ ids, include: ["metadatas"] as never });
  const oldKeys = new Map<string, string[]>();
  stored.ids.forEach((id, i) => {
    const m = stored.metadatas[i];
    if (m) oldKeys.set(id, Object.keys(m));
  });
  let stale = false;
  const metadatas: Array<WireMetadata | null> = batch.map((r) => {
    const next: WireMetadata = { ...(r.metadata ?? {}) };
    for (const key of oldKeys.get(r.id) ?? []) {
      if (!Object.hasOwn(next, key)) {
        next[key] = null;
        stale = true;
      }
    }
    return Object.keys(next).length ? next : null;
  });
  const embeddings = batch.map((r) => Array.from(r.vector));
  const documents = batch.map((r) => r.text);
  if (!stale) {
    await collection.upsert({ ids, embeddings, documents, metadatas: metadatas as never });
    return;
  }
  const api = rawClient(collection);
  if (!api) {
    throw new ServiceError(
      "chroma",
      "upsert cannot remove old metadata keys with this chromadb client version; pass replaceMetadata: false to merge instead",
      { retryable: false },
    );
  }
  await api.post({
    url: UPSERT_URL,
    path: { tenant: collection.tenant, database: collection.database, collection_id: collection.id },
    body: { ids, embeddings, documents, metadatas },
    headers: { "Content-Type": "application/json" },
    security: [{ name: "x-chroma-token", type: "apiKey" }],
  });
}
