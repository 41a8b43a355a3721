import { randomUUID } from "node:crypto";
import { ValidationError } from "../errors/errors.js";
import type { HnswParams } from "./hnsw-file.js";
import { checkPositiveInteger, type HnswVectorStoreOptions, newIndex } from "./hnsw-options.js";
import { HnswVectorStore } from "./hnsw-vector-store.js";
import { importUsearch } from "./usearch-module.js";

/**
 * Creates an empty {@link HnswVectorStore}, importing `usearch` (an optional peer dependency)
 * unless `options.usearch` is given.
 * @throws ValidationError for dimensions, connectivity or expansions that are not positive
 *   integers, an unknown quantization or an empty scope; ServiceError when usearch is missing.
 */
export async function createHnswVectorStore(options: HnswVectorStoreOptions): Promise<HnswVectorStore> {
  const dimensions = checkPositiveInteger("dimensions", options.dimensions);
  const params: HnswParams = {
    connectivity: checkPositiveInteger("connectivity", options.connectivity ?? 32),
    expansionAdd: checkPositiveInteger("expansionAdd", options.expansionAdd ?? 256),
    expansionSearch: checkPositiveInteger("expansionSearch", options.expansionSearch ?? 192),
    quantization: options.quantization ?? "i8",
  };
  if (!["f32", "f16", "i8"].includes(params.quantization))
    throw new ValidationError(
      `quantization must be "f32", "f16" or "i8", got ${String(params.quantization)}`,
    );
  if (options.scope !== undefined && (typeof options.scope !== "string" || options.scope.length === 0))
    throw new ValidationError("scope must be a non-empty string");
  const threads = options.threads ?? 0;
  if (!Number.isInteger(threads) || threads < 0)
    throw new ValidationError(`threads must be a non-negative integer, got ${String(threads)}`);
  const usearch = options.usearch ?? (await importUsearch());
  return new HnswVectorStore(newIndex(usearch, dimensions, params), {
    dimensions,
    params,
    scope: options.scope ?? `hnsw:${randomUUID()}`,
    threads,
  });
}
