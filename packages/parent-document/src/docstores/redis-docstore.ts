import {
  type CallOptions,
  type Document,
  ServiceError,
  throwIfAborted,
  ValidationError,
} from "@ragloom/core";
import { connectRedis } from "@ragloom/core/redis";
import type { Redis, RedisOptions } from "ioredis";
import type { DocStore, DocStoreKeysOptions } from "./types.js";
import { checkDocuments, checkIds, fromStored, toStored } from "./validate.js";

/** Options of {@link createRedisDocStore}. */
export interface RedisDocStoreOptions {
  /** An existing ioredis client (dependency injection); the store never closes it. */
  client?: Redis;
  /** Connection URL when no `client` is given, e.g. `redis://127.0.0.1:6379/0`. @default "redis://127.0.0.1:6379" */
  url?: string;
  /** Extra ioredis options when no `client` is given. @default {} */
  redisOptions?: RedisOptions;
  /** Prefix of every Redis key; a document `id` lives at `${namespace}${id}`. @default "ragloom:doc:" */
  namespace?: string;
  /** Keys per MGET/MSET/UNLINK command (all commands of one call run in one MULTI). @default 500 */
  batchSize?: number;
  /** Time to live of written documents, in seconds; 0 keeps them forever. @default 0 */
  ttlSeconds?: number;
  /**
   * Called with connection errors of a client the store opened itself (ioredis reports them as
   * events; the failing commands also reject with `ServiceError`). @default ignore them
   */
  onConnectionError?: (error: Error) => void;
}

function wrap(error: unknown, what: string): ServiceError {
  if (error instanceof ServiceError) return error;
  return new ServiceError("redis", `${what} failed: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

/** Escapes Redis glob characters so a prefix matches literally in SCAN MATCH. */
function escapeGlob(s: string) {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A {@link DocStore} on Redis through ioredis (an optional peer dependency, imported only by
 * `@ragloom/parent-document/redis`). Each document is one string key holding its JSON.
 *
 * `mset` and `mdelete` send all their MSET/UNLINK commands in one MULTI/EXEC transaction, so
 * each call is atomic on the server (all keys written or none); `keys` walks SCAN MATCH.
 * @throws ServiceError (`service: "redis"`) when Redis fails or is unreachable.
 */
export class RedisDocStore implements DocStore {
  readonly kind = "redis";
  readonly namespace: string;
  private readonly batchSize: number;
  private readonly ttlSeconds: number;

  constructor(
    readonly client: Redis,
    options: { namespace?: string; batchSize?: number; ttlSeconds?: number; ownsClient?: boolean } = {},
  ) {
    this.namespace = options.namespace ?? "ragloom:doc:";
    this.batchSize = options.batchSize ?? 500;
    this.ttlSeconds = options.ttlSeconds ?? 0;
    this.ownsClient = options.ownsClient ?? false;
    if (!(Number.isInteger(this.batchSize) && this.batchSize >= 1)) {
      throw new ValidationError(`batchSize must be a positive integer, got ${this.batchSize}`);
    }
    if (!(this.ttlSeconds >= 0)) throw new ValidationError(`ttlSeconds must be >= 0, got ${this.ttlSeconds}`);
  }

  private readonly ownsClient: boolean;

  private key(id: string) {
    return `${this.namespace}${id}`;
  }

  async mget(ids: string[], options?: CallOptions): Promise<Array<Document | undefined>> {
    throwIfAborted(options?.signal);
    checkIds(ids);
    const out: Array<Document | undefined> = [];
    for (const batch of chunks(ids, this.batchSize)) {
      throwIfAborted(options?.signal);
      let values: Array<string | null>;
      try {
        values = await this.client.mget(batch.map((id) => this.key(id)));
      } catch (error) {
        throw wrap(error, "MGET");
      }
      for (const v of values) out.push(v === null ? undefined : fromStored(v));
    }
    return out;
  }

  async mset(documents: Document[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    checkDocuments(documents);
    if (documents.length === 0) return;
    const tx = this.client.multi();
    for (const batch of chunks(documents, this.batchSize)) {
      if (this.ttlSeconds > 0) {
        for (const d of batch) tx.set(this.key(d.id), toStored(d), "EX", Math.ceil(this.ttlSeconds));
      } else {
        tx.mset(batch.flatMap((d) => [this.key(d.id), toStored(d)]));
      }
    }
    await this.exec(tx, "MSET");
  }

  async mdelete(ids: string[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    checkIds(ids);
    if (ids.length === 0) return;
    const tx = this.client.multi();
    for (const batch of chunks(ids, this.batchSize)) tx.unlink(...batch.map((id) => this.key(id)));
    await this.exec(tx, "UNLINK");
  }

  private async exec(tx: ReturnType<Redis["multi"]>, what: string) {
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await tx.exec();
    } catch (error) {
      throw wrap(error, what);
    }
    if (results === null) throw new ServiceError("redis", `${what} transaction was aborted`);
    const failed = results.find(([e]) => e);
    if (failed) throw wrap(failed[0], what);
  }

  async *keys(options: DocStoreKeysOptions = {}): AsyncIterable<string> {
    throwIfAborted(options.signal);
    const match = `${escapeGlob(this.namespace + (options.prefix ?? ""))}*`;
    const seen = new Set<string>();
    let cursor = "0";
    do {
      throwIfAborted(options.signal);
      let reply: [string, string[]];
      try {
        reply = await this.client.scan(cursor, "MATCH", match, "COUNT", 1000);
      } catch (error) {
        throw wrap(error, "SCAN");
      }
      cursor = reply[0];
      for (const key of reply[1]) {
        // SCAN may return a key twice
        if (seen.has(key)) continue;
        seen.add(key);
        yield key.slice(this.namespace.length);
      }
    } while (cursor !== "0");
  }

  /** Closes the connection if this store opened it (a client passed in is left open). */
  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * Creates a {@link RedisDocStore}, connecting to `url` with ioredis unless a `client` is given
 * (ioredis is imported lazily).
 * @throws ServiceError when ioredis is not installed or the server is unreachable.
 */
export async function createRedisDocStore(options: RedisDocStoreOptions = {}): Promise<RedisDocStore> {
  const storeOptions = {
    namespace: options.namespace,
    batchSize: options.batchSize,
    ttlSeconds: options.ttlSeconds,
  };
  if (options.client) return new RedisDocStore(options.client, storeOptions);
  const client = await connectRedis(options);
  return new RedisDocStore(client, { ...storeOptions, ownsClient: true });
}
