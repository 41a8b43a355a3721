import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEventBus, createOpenAICompatibleModel } from "@ragloom/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLM_MODEL_ID, type ServiceHandle, startLlmServer, stopAllServices } from "../../../test/services.js";
import { type CompressionWarning, createLLMExtractor, createLLMFilter } from "../src/index.js";
import { DOCS, isOrderedSubset, QUERY } from "./fixtures.js";

let llm: ServiceHandle;
let fault: Server;
let faultUrl: string;
/** What the fault server does next: answer unparsable text, fail with HTTP 500, or hang. */
let mode: "garbage" | "http500" | "hang" = "garbage";

beforeAll(async () => {
  llm = await startLlmServer();
  // A fake server only to inject faults the real model cannot be made to produce on demand.
  fault = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (mode === "hang") return; // never answers
      if (mode === "http500") {
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":"boom"}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          choices: [{ message: { role: "assistant", content: "Hmm, hard to say." }, finish_reason: "stop" }],
        }),
      );
    });
  });
  await new Promise<void>((r) => fault.listen(0, "127.0.0.1", r));
  faultUrl = `http://127.0.0.1:${(fault.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  fault.closeAllConnections();
  await new Promise((r) => fault.close(r));
  await stopAllServices();
});

const two = DOCS.slice(0, 2).map((d) => ({ ...d, text: d.text.slice(0, 300) }));

describe("LLM compressors on the real local model (structure only)", () => {
  it("LLMFilter returns a subset of the documents, in order, unchanged", async () => {
    const model = createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID, maxRetries: 0 });
    const warnings: CompressionWarning[] = [];
    const out = await createLLMFilter({ model, concurrency: 1, onWarning: (w) => warnings.push(w) }).compress(
      two,
      QUERY,
    );
    const ids = out.map((d) => d.id);
    expect(ids).toEqual(two.map((d) => d.id).filter((id) => ids.includes(id)));
    for (const d of out) expect(d).toBe(two.find((x) => x.id === d.id));
    // schema-constrained decoding: the answer parses
    expect(warnings.filter((w) => w.code === "llm-unparsable")).toEqual([]);
  });

  it("LLMExtractor keeps verbatim sentences in order", async () => {
    const model = createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID, maxRetries: 0 });
    const out = await createLLMExtractor({ model, concurrency: 1, onWarning: () => {} }).compress(two, QUERY);
    for (const d of out) {
      const orig = two.find((x) => x.id === d.id)!;
      expect(d.metadata).toEqual(orig.metadata);
      expect(isOrderedSubset(orig.text, d.text)).toBe(true);
    }
  });
});

describe("LLM compressors under faults", () => {
  const model = () => createOpenAICompatibleModel({ baseURL: faultUrl, model: "fault", maxRetries: 0 });

  it("an unparsable answer keeps the document (safe default) and warns", async () => {
    mode = "garbage";
    const warnings: CompressionWarning[] = [];
    const filter = createLLMFilter({ model: model(), onWarning: (w) => warnings.push(w) });
    expect(await filter.compress(two, QUERY)).toEqual(two);
    expect(warnings.map((w) => w.code)).toEqual(["llm-unparsable", "llm-unparsable"]);
    const extractor = createLLMExtractor({ model: model(), onWarning: () => {} });
    expect(await extractor.compress(two, QUERY)).toEqual(two);
    const strict = createLLMFilter({ model: model(), onFailure: "drop", onWarning: () => {} });
    expect(await strict.compress(two, QUERY)).toEqual([]);
  });

  it("an HTTP 500 applies the safe default with an llm-error warning", async () => {
    mode = "http500";
    const warnings: CompressionWarning[] = [];
    const events = createEventBus();
    const fallbacks: string[] = [];
    events.on("fallback", (e) => fallbacks.push(`${e.service} ${e.fallback}`));
    const out = await createLLMExtractor({
      model: model(),
      onWarning: (w) => warnings.push(w),
      events,
    }).compress(two, QUERY);
    expect(out).toEqual(two);
    expect(warnings.map((w) => w.code)).toEqual(["llm-error", "llm-error"]);
    expect(fallbacks).toEqual(["llm llm-extractor(fault):keep", "llm llm-extractor(fault):keep"]);
  });

  it("a hanging server times out per call; aborting rejects", async () => {
    mode = "hang";
    const warnings: CompressionWarning[] = [];
    const filter = createLLMFilter({
      model: model(),
      timeoutMs: 300,
      concurrency: 2,
      onWarning: (w) => warnings.push(w),
    });
    const t0 = Date.now();
    expect(await filter.compress(two, QUERY)).toEqual(two);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(warnings.map((w) => w.code)).toEqual(["llm-timeout", "llm-timeout"]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(
      createLLMFilter({ model: model(), timeoutMs: 10_000, onWarning: () => {} }).compress(two, QUERY, {
        signal: ac.signal,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
  });
});
