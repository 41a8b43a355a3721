import { throwIfAborted, ValidationError } from "@ragloom/core";
import type { DocumentCompressor, WarningHandler } from "./types.js";

/** Options of {@link pipeline}, given as its last argument. */
export interface PipelineOptions {
  /**
   * Receives the warnings of every stage created without an `onWarning` of its own (passed down
   * as `compress(..., { onWarning })`), so that no stage falls back to `console.warn`. A handler
   * given to one call of `compress` wins over this one.
   * @default undefined (each stage's own handler, else console.warn)
   */
  onWarning?: WarningHandler;
}

const isCompressor = (x: unknown): x is DocumentCompressor =>
  !!x && typeof (x as DocumentCompressor).compress === "function";

/**
 * Chains compressors: the output of each is the input of the next, with the same query, signal and
 * warning handler. Pass {@link PipelineOptions} as the last argument:
 * `pipeline(a, b, { onWarning })`.
 * Order, ids and metadata are whatever the stages keep (every compressor of this package keeps
 * input order, ids and metadata, except a reranker stage with `order: "reranked"`).
 * Stops early (returns `[]`) once a stage returns no document.
 * @throws ValidationError when called with no compressor, or with an argument that is neither a
 *   compressor nor (last) the options.
 */
export function pipeline(...stages: Array<DocumentCompressor | PipelineOptions>): DocumentCompressor {
  const last = stages.at(-1);
  const options: PipelineOptions =
    last !== undefined && !isCompressor(last) && typeof last === "object"
      ? (stages.pop() as PipelineOptions)
      : {};
  const compressors = stages as DocumentCompressor[];
  if (compressors.length === 0) throw new ValidationError("pipeline needs at least one compressor");
  for (const c of compressors) {
    if (!isCompressor(c)) throw new ValidationError("pipeline stage is not a compressor");
  }
  return {
    name: `pipeline(${compressors.map((c) => c.name).join(" → ")})`,
    async compress(documents, query, callOptions = {}) {
      const opts = { ...callOptions, onWarning: callOptions.onWarning ?? options.onWarning };
      let docs = documents;
      for (const c of compressors) {
        throwIfAborted(opts.signal);
        if (docs.length === 0) return docs;
        docs = await c.compress(docs, query, opts);
      }
      return docs;
    },
  };
}
