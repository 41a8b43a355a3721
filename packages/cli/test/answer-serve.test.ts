import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLM_MODEL_FILE, requireModelDir, stopAllServices } from "../../../test/services.js";
import { writeCorpus } from "../../loaders/test/fixtures.js";
import { type Io, run } from "../src/index.js";
import { ragloom } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "ragloom-answer-"));
const previousCwd = process.cwd();

beforeAll(async () => {
  process.env.RAGLOOM_MODEL_DIR = requireModelDir();
  await writeCorpus(join(work, "docs"));
  process.chdir(work);
  expect((await ragloom("index", "docs", "-q")).code).toBe(0);
});
afterAll(async () => {
  process.chdir(previousCwd);
  rmSync(work, { recursive: true, force: true });
  await stopAllServices();
});

describe("ragloom answer", () => {
  it("answers from the index with a real local model (SmolLM2-135M in process), citing numbered sources", {
    timeout: 300_000,
  }, async () => {
    const empty = await ragloom("answer", " ", "--llm-gguf", LLM_MODEL_FILE);
    expect(empty).toMatchObject({ code: 2, stderr: "ragloom: error: the question is empty\n" });
    const args = ["answer", "What happens when a circuit breaker is open?", "--llm-gguf", LLM_MODEL_FILE];
    const json = await ragloom(...args, "-k", "1", "--max-tokens", "16", "--mode", "lexical", "--json");
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { text: string; sources: Array<{ n: number; source: string }> };
    expect(out.text.length).toBeGreaterThan(0);
    expect(out.sources).toEqual([expect.objectContaining({ n: 1, source: "docs/guide.md" })]);
  });
});

describe("ragloom serve", () => {
  it("serves the index over HTTP with an API key until interrupted", { timeout: 120_000 }, async () => {
    const missing = await ragloom("serve", "--port", "0", "--api-key-env", "RAGLOOM_TEST_KEY_UNSET");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/RAGLOOM_TEST_KEY_UNSET/);
    process.env.RAGLOOM_TEST_KEY = "test-key-123";
    const stop = new AbortController();
    let announce!: (url: string) => void;
    const listening = new Promise<string>((resolve) => {
      announce = resolve;
    });
    const io: Io = {
      out: (t) => {
        const m = /"url":\s*"([^"]+)"/.exec(t);
        if (m) announce(m[1]!);
      },
      err: () => {},
      json: false,
      quiet: false,
      tty: false,
    };
    const running = run(
      ["serve", "--port", "0", "--api-key-env", "RAGLOOM_TEST_KEY", "--json"],
      io,
      stop.signal,
    );
    const url = await Promise.race([listening, running.then((code) => `exited ${code}`)]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const query = (key?: string) =>
      fetch(`${url}/v1/query`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query: "BM25 ranking parameters", k: 2, collection: "default" }),
      });
    expect((await query()).status).toBe(401);
    const ok = await query("test-key-123");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as {
      documents?: Array<{ metadata: { source: string } }>;
      results?: unknown;
    };
    expect(JSON.stringify(body)).toContain("docs/papers/handbook.pdf");
    stop.abort();
    expect(await running).toBe(0);
  });
});
