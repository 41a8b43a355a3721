import type { Redis } from "ioredis";
import { emitEvent } from "../events/event-bus.js";
import type { RetrievalResult } from "../types/retriever.js";
import { CacheEntryError } from "./cache-entry-error.js";
import { type Codec, createJsonCodec } from "./codec.js";
import { createRedisGuard, type RedisResilienceOptions } from "./redis-guard.js";
import {
  namespaceOfScope,
  type SemanticCacheEntry,
  type SemanticCacheStore,
} from "./semantic-cache-store.js";
import { createEntrySigner, type SigningKey } from "./signing.js";

/** Options of {@link createRedisSemanticStore}. */
export interface RedisSemanticStoreOptions extends RedisResilienceOptions {
  /** An ioredis client (see `createRedisCacheStore` for recommended options). */
  client: Redis;
  /** Key prefix. @default "ragloom:sem" */
  prefix?: string;
  /**
   * Entries kept per scope; beyond it the entries closest to expiry (the oldest, with one TTL) are
   * deleted during look-ups. @default 1000
   */
  maxEntriesPerScope?: number;
  /** Codec of `{ query, result }`. @default JSON + gzip level 6 (see `resultCodec`) */
  codec?: Codec<{ query: string; result: RetrievalResult }>;
  /**
   * Secret of an HMAC-SHA-256 tag over each vector and result (as `createRedisCacheStore`'s
   * `signingKey`): entries without a valid tag are skipped, deleted and reported as `cache:error`.
   * At least 32 bytes. @default none (entries unsigned)
   */
  signingKey?: SigningKey;
}

/**
 * Envelope of one vector in the scope's vector hash: float64 expiresAt, uint16 length of the tags
 * JSON, the tags JSON, then the float32 little-endian vector (1,536 bytes at 384-d).
 */
function encodeVector(e: Pick<SemanticCacheEntry, "expiresAt" | "tags" | "vector">): Buffer {
  const tags = Buffer.from(JSON.stringify(e.tags), "utf8");
  const out = Buffer.alloc(10 + tags.length + e.vector.byteLength);
  out.writeDoubleLE(e.expiresAt, 0);
  out.writeUInt16LE(tags.length, 8);
  tags.copy(out, 10);
  Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength).copy(out, 10 + tags.length);
  return out;
}

function decodeVector(id: string, b: Buffer) {
  const expiresAt = b.readDoubleLE(0);
  const n = b.readUInt16LE(8);
  const tags = JSON.parse(b.subarray(10, 10 + n).toString("utf8")) as string[];
  const bytes = b.subarray(10 + n);
  const vector = new Float32Array(bytes.byteLength / 4);
  Buffer.from(vector.buffer).set(bytes);
  return { id, expiresAt, tags, vector };
}

/**
 * A Redis {@link SemanticCacheStore} for plain Redis (no vector search module): per scope, one hash
 * of compact vectors (mirrored in process: a look-up costs one HKEYS plus one HMGET of the entries
 * added since, then a linear scan) and one hash of compressed results (one HGET for the winner); sets index scopes by namespace and entries by tag for
 * invalidation. Both hashes expire with their longest-lived entry (`PEXPIRE … GT`); each entry's own
 * time to live is checked on every hit.
 */
export function createRedisSemanticStore(options: RedisSemanticStoreOptions): SemanticCacheStore {
  const { client } = options;
  const prefix = options.prefix ?? "ragloom:sem";
  const codec = options.codec ?? createJsonCodec<{ query: string; result: RetrievalResult }>("gzip", 6);
  const guard = createRedisGuard(options);
  const vKey = (scope: string) => `${prefix}:v:${scope}`;
  const dKey = (scope: string) => `${prefix}:d:${scope}`;
  const nsKey = (ns: string) => `${prefix}:ns:${ns}`;
  const tagKey = (tag: string) => `${prefix}:tag:${tag}`;
  const maxEntries = options.maxEntriesPerScope ?? 1000;
  const mirror = new Map<string, Map<string, ReturnType<typeof decodeVector>>>();
  const signer = options.signingKey === undefined ? undefined : createEntrySigner(options.signingKey);
  const seal = (key: string, id: string, bytes: Buffer) =>
    signer ? signer.seal(`${key}\n${id}`, bytes) : bytes;
  /** The payload of a stored field, or `undefined` (reported) when it fails its tag or cannot be decoded. */
  const unseal = <T>(key: string, id: string, bytes: Buffer, decode: (b: Buffer) => T): T | undefined => {
    const payload = signer ? signer.open(`${key}\n${id}`, bytes) : bytes;
    let error: CacheEntryError | undefined;
    if (!payload) error = new CacheEntryError(`${key}/${id}`, "signature", "missing or invalid HMAC tag");
    else {
      try {
        return decode(payload);
      } catch (cause) {
        error = new CacheEntryError(`${key}/${id}`, "undecodable", "cannot decode", { cause });
      }
    }
    emitEvent(options.events, "cache:error", { cache: "semantic", layer: "l2", error });
    return undefined;
  };
  const exec = async (p: ReturnType<Redis["pipeline"]>) => {
    const results = (await p.exec()) ?? [];
    const failed = results.find(([e]) => e);
    if (failed) throw failed[0];
    return results.map(([, r]) => r);
  };

  const remove = async (scope: string, ids: string[]) => {
    if (!ids.length) return;
    await guard.run("remove", () =>
      exec(
        client
          .pipeline()
          .hdel(vKey(scope), ...ids)
          .hdel(dKey(scope), ...ids),
      ),
    );
  };

  return {
    kind: "redis",
    async candidates(scope, opts) {
      // vectors never change under an id: keep a local mirror per scope and fetch only new ids
      // (HKEYS ≈ 40 bytes per entry, then HMGET of the new ones), not the whole hash (HGETALL)
      const ids = await guard.run("hkeys", () => client.hkeys(vKey(scope)), opts?.signal);
      let local = mirror.get(scope);
      if (!local) {
        local = new Map();
        mirror.set(scope, local);
      }
      const live = new Set(ids);
      for (const id of local.keys()) if (!live.has(id)) local.delete(id);
      const missing = ids.filter((id) => !local!.has(id));
      if (missing.length) {
        const raw = await guard.run("hmget", () => client.hmgetBuffer(vKey(scope), ...missing), opts?.signal);
        const bad: string[] = [];
        raw.forEach((b, i) => {
          if (!b) return;
          const id = missing[i]!;
          const entry = unseal(vKey(scope), id, b, (payload) => decodeVector(id, payload));
          if (entry) local!.set(id, entry);
          else bad.push(id);
        });
        if (bad.length) await remove(scope, bad);
      }
      if (local.size > maxEntries) {
        const excess = [...local.values()]
          .sort((a, b) => (a.expiresAt || Infinity) - (b.expiresAt || Infinity))
          .slice(0, local.size - maxEntries)
          .map((c) => c.id);
        for (const id of excess) local.delete(id);
        await guard.run("trim", () =>
          exec(
            client
              .pipeline()
              .hdel(vKey(scope), ...excess)
              .hdel(dKey(scope), ...excess),
          ),
        );
      }
      return [...local.values()];
    },
    async load(scope, id) {
      const b = await guard.run("hget", () => client.hgetBuffer(dKey(scope), id));
      if (!b) return undefined;
      const entry = unseal(dKey(scope), id, b, (payload) => codec.decode(payload));
      if (!entry) await remove(scope, [id]);
      return entry;
    },
    async add(scope, entry) {
      await guard.run("add", () => {
        const p = client.pipeline();
        p.hset(vKey(scope), entry.id, seal(vKey(scope), entry.id, encodeVector(entry)));
        p.hset(
          dKey(scope),
          entry.id,
          seal(dKey(scope), entry.id, codec.encode({ query: entry.query, result: entry.result })),
        );
        p.sadd(nsKey(namespaceOfScope(scope)), scope);
        for (const tag of entry.tags) p.sadd(tagKey(tag), `${scope}\n${entry.id}`);
        for (const key of [vKey(scope), dKey(scope)]) {
          if (entry.expiresAt > 0) p.pexpire(key, Math.max(1, entry.expiresAt - Date.now()), "GT");
          else p.persist(key);
        }
        return exec(p);
      });
    },
    remove,
    async invalidate({ namespace, tag }) {
      return guard.run("invalidate", async () => {
        let n = 0;
        if (namespace !== undefined) {
          const scopes = await client.smembers(nsKey(namespace));
          if (scopes.length) {
            const p = client.pipeline();
            for (const s of scopes) p.hlen(vKey(s));
            n += (await exec(p)).reduce<number>((a, r) => a + Number(r), 0);
            await client.unlink(...scopes.flatMap((s) => [vKey(s), dKey(s)]), nsKey(namespace));
          }
        }
        if (tag !== undefined) {
          const members = await client.smembers(tagKey(tag));
          if (members.length) {
            const p = client.pipeline();
            for (const m of members) {
              const [scope, id] = m.split("\n") as [string, string];
              p.hdel(vKey(scope), id).hdel(dKey(scope), id);
            }
            const removed = await exec(p);
            n += removed.filter((_, i) => i % 2 === 0).reduce<number>((a, r) => a + Number(r), 0);
          }
          await client.unlink(tagKey(tag));
        }
        return n;
      });
    },
  };
}
