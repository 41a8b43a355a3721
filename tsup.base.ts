import { defineConfig, type Options } from "tsup";

/**
 * The build every package shares: ESM + CJS with type declarations and source maps, for Node 20,
 * with shared chunks between entries. `entry` lists the package's entry files (its `exports`).
 */
export function packageBuild(entry: string[], overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    splitting: true,
    treeshake: true,
    ...overrides,
  });
}
