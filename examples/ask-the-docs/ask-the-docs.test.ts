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
    expect(pRetry!.metadata.language).toBe("en");
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
    expect(first.stdout + second.stdout).not.toMatch(/No good match/);
    expect(second.stdout).toMatch(/best dense cosine similarity: 0\.\d{3}/);
  }, 900_000);

  it('prints "no good match" for an unrelated question, whatever the fused scores', async () => {
    const args = ["tsx", "examples/ask-the-docs/index.ts", "--only", "p-retry,opossum", "--state-dir", state];
    const { stdout } = await run("pnpm", [...args, "What is the boiling point of ethanol at sea level?"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    expect(stdout).toMatch(/Loaded \d+ chunks/);
    expect(stdout).toMatch(
      /\nNo good match: best dense cosine similarity 0\.\d{3} < 0\.\d+ \(--min-similarity\); the hits below are probably unrelated\.\n/,
    );
    expect(stdout).toMatch(/1\. \[\d\.\d{4}\] /); // the hits are still listed
    const lowered = await run(
      "pnpm",
      [...args, "--min-similarity", "-1", "What is the boiling point of ethanol at sea level?"],
      {
        cwd: ROOT,
        timeout: 300_000,
      },
    );
    expect(lowered.stdout).not.toMatch(/No good match/);
  }, 900_000);

  it("skips non-English documents by default and says how many and why", async () => {
    const langState = join(state, "languages");
    const args = [
      "tsx",
      "examples/ask-the-docs/index.ts",
      "--only",
      "@biomejs/biome",
      "--state-dir",
      langState,
    ];
    const { stdout } = await run("pnpm", [...args, "--mode", "lexical", "formatter"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    const skipped =
      /Skipped (\d+) of (\d+) Markdown files not detected as en \(zh 2, [^)]*ja 1[^)]*\); pass --languages all/.exec(
        stdout,
      );
    expect(skipped, stdout).not.toBeNull();
    const [, n, of] = skipped!.map(Number);
    expect(stdout).toMatch(new RegExp(`Indexing ${of! - n!} Markdown files`));
    expect(stdout).not.toMatch(/README\.(zh|ja|ru)/);
    const withZh = await run("pnpm", [...args, "--languages", "en,zh", "--mode", "lexical", "formatter"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    expect(withZh.stdout).toMatch(
      new RegExp(`Skipped ${n! - 2} of ${of} Markdown files not detected as en/zh \\(es 1, `),
    );
    expect(withZh.stdout).toMatch(/Indexing 3 Markdown files/);
  }, 900_000);

  it("works against a real Chroma server, rebuilds BM25 from it, and leaves the memory index current", async () => {
    const chroma = await startChroma();
    const chromaState = state; // the same state folder as the in-memory runs above
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
    // the Chroma runs kept their own manifest: the in-memory index is loaded, not rebuilt
    const memory = await run(
      "pnpm",
      [
        "tsx",
        "examples/ask-the-docs/index.ts",
        "--only",
        "p-retry,opossum",
        "--state-dir",
        state,
        "half-open circuit",
      ],
      { cwd: ROOT, timeout: 300_000 },
    );
    expect(memory.stdout).toMatch(/Loaded \d+ chunks from \S+store\.bin/);
    expect(memory.stdout).not.toMatch(/Indexed/);
    // a different collection on the same server is another store: indexed, not loaded
    const other = await run("pnpm", [...args, "--collection", "ask_the_docs_2", "half-open circuit"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    expect(other.stdout).toMatch(/Indexed \d+ chunks/);
    // a smaller document set keeps what is already in Chroma and deletes the rest
    const all = Number(/Loaded (\d+) chunks/.exec(second.stdout)![1]);
    const narrowArgs = args.map((a) => (a === "p-retry,opossum" ? "p-retry" : a));
    const narrowed = await run("pnpm", [...narrowArgs, "exponential backoff retries"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    expect(narrowed.stdout).toMatch(/Indexing \d+ Markdown files/);
    expect(narrowed.stdout).not.toMatch(/opossum@/);
    const reloaded = await run("pnpm", [...narrowArgs, "exponential backoff retries"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    const left = Number(/Loaded (\d+) chunks/.exec(reloaded.stdout)?.[1]);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(all);
  }, 900_000);
});
