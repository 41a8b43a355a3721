import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { requireModelDir, startChroma, stopAllServices } from "../../test/services.js";
import { collectDocs, installedPackages } from "./collect-docs.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const run = promisify(execFile);
const state = mkdtempSync(join(tmpdir(), "ragloom-ask-"));
afterAll(async () => {
  rmSync(state, { recursive: true, force: true });
  await stopAllServices();
});

describe("ask-the-docs", () => {
  it("collects real Markdown docs of installed packages with metadata", () => {
    const docs = collectDocs(
      installedPackages([join(ROOT, "node_modules"), join(import.meta.dirname, "node_modules")]),
    );
    const pRetry = docs.find(
      (d) => d.metadata.package === "cli-progress" && /readme/i.test(String(d.metadata.path)),
    );
    expect(docs.some((d) => /licen[cs]e/i.test(String(d.metadata.path)))).toBe(false);
    expect(pRetry).toBeDefined();
    expect(pRetry!.metadata).toMatchObject({ license: "MIT", path: expect.stringMatching(/readme\.md$/i) });
    expect(String(pRetry!.metadata.version)).toMatch(/^\d+\.\d+\.\d+/);
    expect(pRetry!.id).toBe(`cli-progress@${pRetry!.metadata.version}/${pRetry!.metadata.path}`);
    for (const d of docs) expect(typeof d.metadata.title).toBe("string");
  });

  it("indexes, answers with scores, package, path and timings, then reuses the saved index", async () => {
    requireModelDir();
    const args = [
      "tsx",
      "examples/ask-the-docs/index.ts",
      "--only",
      "p-retry,opossum",
      "--state-dir",
      state,
      "-k",
      "3",
    ];
    const first = await run("pnpm", [...args, "what does a circuit breaker do when it is open?"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    expect(first.stdout).toMatch(/Indexed \d+ chunks/);
    expect(first.stdout).toMatch(/1\. \[\d\.\d{4}\] opossum@\S+ README\.md \(Apache-2\.0\)/);
    expect(first.stdout).toMatch(
      /timings: embed [\d.]+ ms, search [\d.]+ ms, lexical [\d.]+ ms, fuse [\d.]+ ms, total/,
    );
    const second = await run("pnpm", [...args, "--mode", "dense", "retry with exponential backoff"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    expect(second.stdout).toMatch(/Loaded \d+ chunks/);
    expect(second.stdout).not.toMatch(/Indexed/);
    expect(second.stdout).toMatch(/1\. \[\d\.\d{4}\] p-retry@/);
  });

  it("works against a real Chroma server and rebuilds BM25 from it on the next run", async () => {
    const chroma = await startChroma();
    const chromaState = join(state, "chroma");
    const args = [
      "tsx",
      "examples/ask-the-docs/index.ts",
      "--chroma",
      chroma.url,
      "--only",
      "p-retry,opossum",
      "--state-dir",
      chromaState,
    ];
    const first = await run("pnpm", [...args, "half-open circuit"], { cwd: ROOT, timeout: 300_000 });
    expect(first.stdout).toMatch(/Indexed \d+ chunks/);
    expect(first.stdout).toMatch(/1\. \[\d\.\d{4}\] opossum@/);
    const second = await run("pnpm", [...args, "exponential backoff retries"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    expect(second.stdout).toMatch(new RegExp(`Loaded \\d+ chunks from ${chroma.url.replace(/[.]/g, "\\.")}`));
    expect(second.stdout).toMatch(/timings: embed [\d.]+ ms, search [\d.]+ ms, lexical [\d.]+ ms, fuse/);
    expect(second.stdout).toMatch(/1\. \[\d\.\d{4}\] p-retry@/);
  });
});
