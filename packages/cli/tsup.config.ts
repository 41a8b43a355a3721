import { defineConfig } from "tsup";

export default defineConfig({
  // bin.ts is the `ragloom` executable (dist/bin.js); the shebang is kept
  entry: ["src/index.ts", "src/bin.ts"],
  format: ["esm", "cjs"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
  splitting: true,
  treeshake: true,
});
