import { createCipheriv, createHash } from "node:crypto";

/**
 * A seeded pseudo-random generator for simulations: the AES-256-CTR keystream (NIST SP 800-38A)
 * under key SHA-256(seed), read as uint32s / 2^32, so runs are reproducible from the seed.
 * @returns a function giving numbers uniform in [0, 1).
 */
export function seededRandom(seed: string | number): () => number {
  const key = createHash("sha256").update(`seed:${seed}`).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const zeros = Buffer.alloc(4096 * 4);
  let words = new Uint32Array(0);
  let i = 0;
  return () => {
    if (i >= words.length) {
      const bytes = cipher.update(zeros);
      words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      i = 0;
    }
    return words[i++]! / 2 ** 32;
  };
}
