import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
import { createEntrySigner, TAG_BYTES } from "./signing.js";

describe("createEntrySigner (HMAC-SHA-256)", () => {
  const signer = createEntrySigner("k".repeat(32));
  const payload = Buffer.from("payload bytes");

  it("opens what it sealed, and nothing else", () => {
    const sealed = signer.seal("res:abc", payload);
    expect(sealed.length).toBe(TAG_BYTES + payload.length);
    expect(signer.open("res:abc", sealed)?.toString()).toBe("payload bytes");
    // another key, a flipped bit, a truncated entry, an unsigned entry, another secret
    expect(signer.open("res:abd", sealed)).toBeUndefined();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(signer.open("res:abc", flipped)).toBeUndefined();
    expect(signer.open("res:abc", sealed.subarray(0, 10))).toBeUndefined();
    expect(signer.open("res:abc", payload)).toBeUndefined();
    expect(createEntrySigner("x".repeat(32)).open("res:abc", sealed)).toBeUndefined();
  });

  it("binds the key unambiguously (length-prefixed)", () => {
    const a = signer.seal("ab", Buffer.from("c"));
    expect(signer.open("a", Buffer.concat([a.subarray(0, TAG_BYTES), Buffer.from("bc")]))).toBeUndefined();
  });

  it("refuses secrets shorter than the tag", () => {
    expect(() => createEntrySigner("short")).toThrow(ValidationError);
    expect(() => createEntrySigner(new Uint8Array(31))).toThrow(ValidationError);
    expect(() => createEntrySigner(new Uint8Array(32))).not.toThrow();
  });
});
