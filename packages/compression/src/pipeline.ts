import { throwIfAborted, ValidationError } from "@ragloom/core";
import type { DocumentCompressor } from "./types.js";

/**
 * Chains compressors: the output of each is the input of the next, with the same query and signal.
 * Order, ids and metadata are whatever the stages keep (every compressor of this package keeps
 * input order, ids and metadata, except a reranker stage with `order: "reranked"`).
 * Stops early (returns `[]`) once a stage returns no document.
 * @throws ValidationError when called with no compressor.
 */
export function pipeline(...compressors: DocumentCompressor[]): DocumentCompressor {
  if (compressors.length === 0) throw new ValidationError("pipeline needs at least one compressor");
  for (const c of compressors) {
    if (!c || typeof c.compress !== "function")
      throw new ValidationError("pipeline stage is not a compressor");
  }
  return {
    name: `pipeline(${compressors.map((c) => c.name).join(" → ")})`,
    async compress(documents, query, options = {}) {
      let docs = documents;
      for (const c of compressors) {
        throwIfAborted(options.signal);
        if (docs.length === 0) return docs;
        docs = await c.compress(docs, query, options);
      }
      return docs;
    },
  };
}
