import { createHmac, timingSafeEqual } from "node:crypto";
import { ValidationError } from "../errors/errors.js";

/** A secret for {@link createEntrySigner}: at least 32 bytes (a string counts its UTF-8 bytes). */
export type SigningKey = string | Uint8Array;

/** Length of an HMAC-SHA-256 tag in bytes. */
export const TAG_BYTES = 32;

/** Signs cache entries and checks their signature. */
export interface EntrySigner {
  /** `tag ‖ payload`, where the tag authenticates both the payload and the key it is stored under. */
  seal(key: string, payload: Buffer): Buffer;
  /** The payload of a sealed entry, or `undefined` when the tag is missing or wrong. */
  open(key: string, entry: Buffer): Buffer | undefined;
}

/**
 * Creates an HMAC-SHA-256 signer (RFC 2104, FIPS 198-1; node:crypto) for values kept in a shared
 * store such as Redis, so that an entry written by anyone without the key is rejected. The tag
 * covers the length-prefixed key and the payload, so a valid entry copied under another key is
 * rejected too. Tags are compared in constant time.
 * @param secret - at least 32 bytes, the tag length, as RFC 2104 §3 recommends; e.g.
 *   `crypto.randomBytes(32)` or a 44-character base64 string of it, shared by every process that
 *   reads the same entries.
 * @throws ValidationError for a shorter secret.
 */
export function createEntrySigner(secret: SigningKey): EntrySigner {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
  if (key.length < TAG_BYTES)
    throw new ValidationError(`signingKey must have at least ${TAG_BYTES} bytes, got ${key.length}`);
  const tagOf = (entryKey: string, payload: Buffer) => {
    const name = Buffer.from(entryKey, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(name.length);
    return createHmac("sha256", key).update(length).update(name).update(payload).digest();
  };
  return {
    seal: (entryKey, payload) => Buffer.concat([tagOf(entryKey, payload), payload]),
    open(entryKey, entry) {
      if (entry.length < TAG_BYTES) return undefined;
      const payload = entry.subarray(TAG_BYTES);
      return timingSafeEqual(entry.subarray(0, TAG_BYTES), tagOf(entryKey, payload)) ? payload : undefined;
    },
  };
}
