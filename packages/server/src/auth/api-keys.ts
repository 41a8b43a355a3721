import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiKeyConfig, Permission, RateLimitConfig } from "../config/schema.js";

/** Hex SHA-256 of an API key: what the configuration stores instead of the key. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * A new random API key: `rgl_` + 32 random bytes in base64url (256 bits from `crypto.randomBytes`).
 * Store only {@link hashApiKey} of it.
 */
export function generateApiKey(): string {
  return `rgl_${randomBytes(32).toString("base64url")}`;
}

/** An authenticated caller. */
export interface Principal {
  /** The key's configured id (safe to log). */
  id: string;
  /** Collection names, or `["*"]` for all. */
  collections: readonly string[];
  permissions: ReadonlySet<Permission>;
  rateLimit?: Partial<RateLimitConfig>;
}

/** Checks presented API keys against the configured hashes. */
export interface Keyring {
  /** The key's principal, or `undefined` when no configured key matches. */
  authenticate(presented: string | undefined): Principal | undefined;
  readonly size: number;
}

/** Whether `principal` may do `permission` on `collection`. */
export function isAllowed(principal: Principal, collection: string, permission: Permission): boolean {
  return (
    principal.permissions.has(permission) &&
    (principal.collections.includes("*") || principal.collections.includes(collection))
  );
}

/**
 * Builds a keyring from hashed keys. A presented key is hashed with SHA-256 and compared with
 * every configured hash by `crypto.timingSafeEqual`, without stopping at the first match, so the
 * time taken does not depend on which key matched or how much of it was right.
 */
export function createKeyring(keys: readonly ApiKeyConfig[]): Keyring {
  const entries = keys.map((k) => ({
    digest: Buffer.from(k.sha256.toLowerCase(), "hex"),
    principal: {
      id: k.id,
      collections: [...k.collections],
      permissions: new Set(k.permissions),
      rateLimit: k.rateLimit,
    } satisfies Principal,
  }));
  return {
    size: entries.length,
    authenticate(presented) {
      if (typeof presented !== "string" || presented.length === 0 || presented.length > 512) return undefined;
      const digest = createHash("sha256").update(presented, "utf8").digest();
      let found: Principal | undefined;
      for (const e of entries) if (timingSafeEqual(digest, e.digest) && !found) found = e.principal;
      return found;
    },
  };
}
