import { createEventBus, createOpenAICompatibleModel, type RagloomEventMap } from "@ragloom/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLM_MODEL_ID, type ServiceHandle, startLlmServer, stopAllServices } from "../../../test/services.js";
import { type Answer, type AnswerPart, createAnswerer } from "../src/index.js";
import { bm25Retriever } from "./fixtures.js";

describe("createAnswerer through llama-cpp-python's OpenAI-compatible server (SmolLM2-135M)", () => {
  let llm: ServiceHandle;
  beforeAll(async () => {
    llm = await startLlmServer();
  });
  afterAll(stopAllServices);

  it("streams an answer over SSE; the server sends no usage, so completion tokens are estimated", async () => {
    const events = createEventBus();
    const calls: RagloomEventMap["service:call"][] = [];
    events.on("service:call", (e) => calls.push(e));
    const model = createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID, events });
    const answerer = createAnswerer({
      retriever: bm25Retriever(),
      model,
      maxContextTokens: 200,
      maxTokens: 32,
    });
    const parts: AnswerPart[] = [];
    for await (const p of answerer.answer("How do I retry a failed request?", { stream: true }))
      parts.push(p);
    expect(parts.map((p) => p.type).filter((t, i, a) => t !== a[i - 1])).toEqual(
      expect.arrayContaining(["sources", "text-delta", "done"]),
    );
    expect(parts[0]!.type).toBe("sources");
    const answer = (parts.at(-1) as { type: "done"; answer: Answer }).answer;
    expect(parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : [])).join("")).toBe(answer.text);
    expect(answer.usage.tokenizer).toBe("tiktoken:cl100k_base");
    expect(answer.usage.completionTokensEstimated).toBe(true);
    expect(answer.usage.completionTokens).toBeGreaterThan(0);
    expect(answer.timings.firstToken).toBeGreaterThan(0);
    expect(["stop", "length"]).toContain(answer.finishReason);
    expect(calls).toMatchObject([{ service: "llm", operation: "chat/completions (stream)" }]);
  });

  it("citationFormat json: the server enforces the schema as a grammar; citations name sources, quotes are checked", async () => {
    const model = createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID });
    const answerer = createAnswerer({
      retriever: bm25Retriever(),
      model,
      maxContextTokens: 200,
      maxTokens: 96,
      citationFormat: "json",
      quotes: true,
    });
    const parts: AnswerPart[] = [];
    for await (const p of answerer.answer("How do I retry a failed request?", { stream: true }))
      parts.push(p);
    const answer = (parts.at(-1) as { type: "done"; answer: Answer }).answer;
    expect(answer.prompt).toMatchObject({ name: "ragloom-answer-json", version: 1 });
    expect(answer.rawText.trimStart().startsWith("{")).toBe(true);
    if (answer.finishReason === "stop") {
      const parsed = JSON.parse(answer.rawText) as { answer: unknown; citations: unknown };
      expect(typeof parsed.answer).toBe("string");
      expect(Array.isArray(parsed.citations)).toBe(true);
    }
    const numbers = answer.sources.map((s) => s.n);
    for (const c of answer.citations) {
      expect(numbers).toContain(c.source);
      expect(c.valid).toBe(c.problem === undefined);
      expect(["quote-missing", "quote-not-found", undefined]).toContain(c.problem);
    }
    const streamed = parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : [])).join("");
    expect(streamed).toBe(answer.text);
    expect(parts.filter((p) => p.type === "citation")).toHaveLength(answer.citations.length);
  });
});
