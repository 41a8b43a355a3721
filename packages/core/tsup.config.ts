import { defineConfig } from "tsup";

export default defineConfig({
  entry: [
    "src/index.ts",
    "src/transformers.ts",
    "src/chroma.ts",
    "src/redis.ts",
    "src/prometheus.ts",
    "src/llama-cpp.ts",
    "src/hnsw.ts",
    "src/pgvector.ts",
  ],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  splitting: true,
  treeshake: true,
});
