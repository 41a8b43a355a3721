import { ServiceError } from "../errors/errors.js";

/** The parts of a usearch `Index` this store uses (usearch ≥ 2.26). */
export interface UsearchIndex {
  add(keys: bigint | BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vector: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array };
  remove(keys: bigint | BigUint64Array): number | number[];
  contains(keys: BigUint64Array): boolean | boolean[];
  size(): number;
  save(path: string): void;
  load(path: string): void;
}

/** The parts of the `usearch` module this store uses; pass it to inject a module you loaded. */
export interface UsearchModule {
  Index: new (config: {
    dimensions: number;
    metric: string;
    quantization: string;
    connectivity: number;
    expansion_add: number;
    expansion_search: number;
    multi: boolean;
  }) => UsearchIndex;
}

/**
 * Imports the optional peer `usearch` (native, prebuilt binaries for Linux, macOS and Windows).
 * @throws ServiceError (not retryable) when it is not installed.
 */
export async function importUsearch(): Promise<UsearchModule> {
  try {
    const mod = (await import("usearch")) as unknown as UsearchModule & { default?: UsearchModule };
    return mod.Index ? mod : mod.default!;
  } catch (cause) {
    throw new ServiceError("usearch", "install the optional peer dependency usearch (npm i usearch)", {
      retryable: false,
      cause,
    });
  }
}
