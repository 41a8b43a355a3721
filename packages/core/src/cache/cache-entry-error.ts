import { RagloomError } from "../errors/errors.js";

/**
 * A cache entry that exists but cannot be used: undecodable bytes, a missing or wrong signature,
 * or a value of the wrong shape (e.g. a vector of another length). Caches treat it as a miss,
 * delete it and report it in a `cache:error` event; it is never thrown to callers.
 */
export class CacheEntryError extends RagloomError {
  /** The cache key of the entry. */
  readonly key: string;
  /** `undecodable` (the codec failed), `signature` (missing or wrong HMAC tag) or `shape`. */
  readonly reason: "undecodable" | "signature" | "shape";
  constructor(key: string, reason: CacheEntryError["reason"], detail: string, options?: { cause?: unknown }) {
    super("ERR_CACHE_ENTRY", `cache entry ${key}: ${detail}`, options);
    this.key = key;
    this.reason = reason;
  }
}
