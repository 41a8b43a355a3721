import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";
import type { RetrievalResult } from "../types/retriever.js";

/** Turns values into bytes for remote cache back-ends and back. */
export interface Codec<V> {
  readonly name: string;
  encode(value: V): Buffer;
  decode(bytes: Buffer): V;
}

/**
 * Float32 vectors as raw little-endian bytes (4 bytes per dimension: 1,536 bytes for 384-d,
 * against about 7,900 for JSON text, and no parsing).
 */
export const float32Codec: Codec<Float32Array> = {
  name: "float32-le",
  encode(v) {
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  },
  decode(b) {
    // copy: Redis buffers may be pooled and unaligned
    const out = new Float32Array(b.byteLength / 4);
    Buffer.from(out.buffer).set(b);
    return out;
  },
};

/** Compression of {@link createJsonCodec}. */
export type Compression = "none" | "gzip" | "brotli";

/**
 * JSON text, optionally compressed with gzip (RFC 1952) or Brotli (RFC 7932) from node:zlib.
 * @param level - gzip 1-9 (@default 6), Brotli quality 0-11 (@default 4).
 * @default compression "gzip"
 */
export function createJsonCodec<V>(compression: Compression = "gzip", level?: number): Codec<V> {
  const encodeText = (v: V) => Buffer.from(JSON.stringify(v), "utf8");
  if (compression === "none") {
    return { name: "json", encode: encodeText, decode: (b) => JSON.parse(b.toString("utf8")) as V };
  }
  if (compression === "gzip") {
    return {
      name: `json+gzip${level ?? ""}`,
      encode: (v) => gzipSync(encodeText(v), { level: level ?? 6 }),
      decode: (b) => JSON.parse(gunzipSync(b).toString("utf8")) as V,
    };
  }
  return {
    name: `json+brotli${level ?? 4}`,
    encode: (v) =>
      brotliCompressSync(encodeText(v), {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: level ?? 4,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      }),
    decode: (b) => JSON.parse(brotliDecompressSync(b).toString("utf8")) as V,
  };
}

/**
 * The default codec of cached retrieval results: JSON + gzip level 6. Measured in `bench/cache.ts`
 * on SciFact top-10 results (bench/results/cache.json `codecs`): JSON 17.0 kB; gzip-6 6.26 kB
 * (encode 0.32 ms, decode 0.07 ms); Brotli-4 6.24 kB (0.34 / 0.09 ms); Brotli-11 4.96 kB but
 * 15 ms to encode. gzip-6 is as small as Brotli-4 and no slower (faster in every run), and decode
 * time is paid on every L2 hit; Brotli-11's 20 % saving costs ~50x the encode time on the miss
 * path. (A binary format such as MessagePack would mostly save the JSON punctuation that
 * compression already removes, and needs a dependency.)
 */
export const resultCodec: Codec<RetrievalResult> = createJsonCodec<RetrievalResult>("gzip", 6);
