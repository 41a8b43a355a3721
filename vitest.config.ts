import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

const src = (p: string) => resolve(import.meta.dirname, "packages", p);

export default defineConfig({
  resolve: {
    alias: [
      // every workspace package and subpath resolves to its TypeScript source
      { find: /^@ragloom\/([a-z-]+)\/(.+)$/, replacement: src("$1/src/$2.ts") },
      { find: /^@ragloom\/([a-z-]+)$/, replacement: src("$1/src/index.ts") },
    ],
  },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "test/**/*.test.ts",
      "bench/**/*.test.ts",
      "examples/**/*.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ["default"],
  },
});
