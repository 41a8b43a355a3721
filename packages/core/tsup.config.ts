import { packageBuild } from "../../tsup.base";

export default packageBuild([
  "src/index.ts",
  "src/transformers.ts",
  "src/chroma.ts",
  "src/redis.ts",
  "src/prometheus.ts",
  "src/llama-cpp.ts",
  "src/hnsw.ts",
  "src/pgvector.ts",
]);
