/**
 * Importing `@ragloom/core` must not load any optional integration (DESIGN.md: integrations stay
 * optional). Walks the static and dynamic import graph of src/index.ts.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const OPTIONAL = [
  "@huggingface/transformers",
  "chromadb",
  "ioredis",
  "prom-client",
  "onnxruntime-node",
  "node-llama-cpp",
  "usearch",
  "pg",
];
const SRC = resolve(import.meta.dirname, "..", "src");

function importGraph(entry: string) {
  const seen = new Set<string>();
  const external = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    for (const m of code.matchAll(
      /(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
    )) {
      const spec = m[1] ?? m[2]!;
      if (/^import\s+type\s|^export\s+type\s/.test(m[0])) continue;
      if (spec.startsWith(".")) stack.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else external.add(spec);
    }
  }
  return { files: seen, external };
}

describe("@ragloom/core main entry", () => {
  it("loads no optional peer dependency", () => {
    const { files, external } = importGraph(resolve(SRC, "index.ts"));
    expect(files.size).toBeGreaterThan(10);
    for (const pkg of OPTIONAL)
      expect([...external].filter((e) => e === pkg || e.startsWith(`${pkg}/`))).toEqual([]);
  });

  it("keeps each integration behind its own subpath", () => {
    expect(importGraph(resolve(SRC, "chroma.ts")).external.has("chromadb")).toBe(true);
    expect(importGraph(resolve(SRC, "transformers.ts")).external.has("@huggingface/transformers")).toBe(true);
    expect(importGraph(resolve(SRC, "llama-cpp.ts")).external.has("node-llama-cpp")).toBe(true);
    expect(importGraph(resolve(SRC, "hnsw.ts")).external.has("usearch")).toBe(true);
    expect(importGraph(resolve(SRC, "pgvector.ts")).external.has("pg")).toBe(true);
  });
});
