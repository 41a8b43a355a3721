import { createHash } from "node:crypto";
import { type Embedder, l2Normalize } from "../../src/index.js";

/**
 * A cheap deterministic embedder (feature hashing of lower-cased word tokens, Weinberger et al.,
 * ICML 2009) for tests that ingest thousands of chunks where the point is the store, not the model.
 */
export function createHashingEmbedder(dimensions = 64): Embedder & { calls: number; texts: number } {
  const embed = (text: string) => {
    const v = new Float32Array(dimensions);
    for (const token of text.toLowerCase().match(/\p{L}+|\p{N}+/gu) ?? []) {
      const h = createHash("md5").update(token).digest();
      v[h.readUInt32LE(0) % dimensions]! += h[4]! & 1 ? 1 : -1;
    }
    return l2Normalize(v);
  };
  const self = {
    modelId: `hashing-${dimensions}`,
    dimensions,
    normalized: true,
    calls: 0,
    texts: 0,
    async embedDocuments(texts: string[]) {
      self.calls++;
      self.texts += texts.length;
      return texts.map(embed);
    },
    async embedQuery(text: string) {
      self.calls++;
      self.texts++;
      return embed(text);
    },
  };
  return self;
}
