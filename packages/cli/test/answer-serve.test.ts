import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LLM_MODEL_FILE,
  LLM_MODEL_ID,
  requireModelDir,
  startLlmServer,
  stopAllServices,
} from "../../../test/services.js";
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

  it("answers over HTTP and MCP with --llm-url (llama-cpp-python server); a bad URL is a usage error", {
    timeout: 180_000,
  }, async () => {
    const bad = await ragloom("serve", "--port", "0", "--llm-url", "not-a-url");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/llmUrl/);
    const llm = await startLlmServer();
    process.env.RAGLOOM_TEST_KEY = "test-key-123";
    const stop = new AbortController();
    let announce!: (line: string) => void;
    const listening = new Promise<string>((resolve) => {
      announce = resolve;
    });
    const io: Io = {
      out: (t) => announce(t),
      err: () => {},
      json: true,
      quiet: false,
      tty: false,
    };
    const running = run(
      [
        "serve",
        "--port",
        "0",
        "--api-key-env",
        "RAGLOOM_TEST_KEY",
        "--llm-url",
        llm.url,
        "--llm-model",
        LLM_MODEL_ID,
        "--json",
      ],
      io,
      stop.signal,
    );
    const line = await Promise.race([listening, running.then((code) => `{"exited":${code}}`)]);
    const started = JSON.parse(line) as { url: string; answers: boolean };
    expect(started.answers).toBe(true);
    const url = started.url;
    const res = await fetch(`${url}/v1/answer`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer test-key-123" },
      body: JSON.stringify({ query: "What are BM25 ranking parameters?", k: 1, stream: false }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { text: string; sources: Array<{ n: number; id: string }> };
    expect(typeof body.text).toBe("string");
    expect(body.sources).toEqual([expect.objectContaining({ n: 1, id: expect.any(String) })]);

    // MCP over Streamable HTTP, stateless: one JSON-RPC request per POST
    const mcp = async (method: string, params: unknown) => {
      const r = await fetch(`${url}/mcp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          authorization: "Bearer test-key-123",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
      expect(r.status).toBe(200);
      // biome-ignore lint/suspicious/noExplicitAny: JSON-RPC result of any shape, asserted on below
      return ((await r.json()) as { result: any }).result;
    };
    const { tools } = await mcp("tools/list", {});
    const answerTool = tools.find((t: { name: string }) => t.name === "answer");
    expect(Object.keys(answerTool.inputSchema.properties)).toEqual(
      expect.arrayContaining(["question", "k", "filter"]),
    );
    const out = await mcp("tools/call", { name: "answer", arguments: { question: "What is BM25?", k: 1 } });
    expect(out.isError).toBeFalsy();
    expect(out.content[0].text).toMatch(/Sources:\n\[1\] /);
    expect(out.structuredContent.sources).toHaveLength(1);
    const wrong = await mcp("tools/call", {
      name: "answer",
      arguments: { question: "BM25?", collection: "other" },
    });
    expect(wrong.isError).toBe(true);
    expect(wrong.content[0].text.length).toBeGreaterThan(0);
    stop.abort();
    expect(await running).toBe(0);
  });
});
