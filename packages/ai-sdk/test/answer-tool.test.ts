import { type Answerer, createAnswerer } from "@ragloom/answer";
import {
  createOpenAICompatibleModel,
  FilterError,
  type HybridRetriever,
  ValidationError,
} from "@ragloom/core";
import { asSchema, generateText, stepCountIs } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLM_MODEL_ID, type ServiceHandle, startLlmServer, stopAllServices } from "../../../test/services.js";
import { type AnswerTool, type AnswerToolOutput, answerTool } from "../src/index.js";
import { DOCS, realRetriever } from "./fixtures.js";
import { serverModel } from "./llm.js";

function run(t: AnswerTool, input: unknown, signal?: AbortSignal) {
  return t.execute(input as never, { abortSignal: signal });
}

function expectAnswer(out: AnswerToolOutput) {
  expect(out).toMatchObject({ answerId: expect.any(String), answer: expect.any(String) });
  expect(typeof out.grounded).toBe("boolean");
  expect(out.grounded).toBe(out.ungroundedReason === undefined);
  const ids = DOCS.map((d) => d.id);
  expect(out.sources.length).toBeGreaterThan(0);
  out.sources.forEach((s, i) => {
    expect(s.n).toBe(i + 1);
    expect(ids).toContain(s.id.split("@")[0]);
    expect(typeof s.source).toBe("string");
  });
  for (const c of out.citations) {
    expect(out.sources.find((s) => s.n === c.source)?.id).toBe(c.documentId);
  }
  expect(JSON.parse(JSON.stringify(out))).toEqual(out);
}

describe("answerTool with a real answerer (MiniLM retrieval, SmolLM2-135M on llama-cpp-python)", () => {
  let llm: ServiceHandle;
  let retriever: HybridRetriever;
  let answerer: Answerer;
  let dispose: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const [server, r] = await Promise.all([startLlmServer(), realRetriever()]);
    llm = server;
    retriever = r.retriever;
    dispose = r.embedder.dispose?.bind(r.embedder);
    answerer = createAnswerer({
      retriever,
      model: createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID }),
      k: 2,
      maxContextTokens: 200,
      maxTokens: 32,
    });
  });
  afterAll(async () => {
    await stopAllServices();
    await dispose?.();
  });

  it("execute returns the answer, its valid citations and its sources as plain JSON", async () => {
    const out = await run(answerTool(answerer), { question: " How do I retry a failed request? " });
    expectAnswer(out);
    expect(out.sources.every((s) => s.text === undefined)).toBe(true);
    const withText = await run(answerTool(answerer, { includeSourceText: true }), {
      question: "What does a circuit breaker do?",
    });
    expectAnswer(withText);
    expect(withText.sources.every((s) => typeof s.text === "string" && s.text.length > 0)).toBe(true);
    for (const s of withText.sources)
      expect(s.source).toBe(s.id.startsWith("retry@") ? "docs/retries.md" : s.id.split("@")[0]);
  });

  it("a forced call from generateText runs the answerer; the answer is in the response messages", async () => {
    const { model, requests } = serverModel(llm.url);
    const answer = answerTool(answerer, { maxQuestionLength: 200 });
    const result = await generateText({
      model,
      tools: { answer },
      toolChoice: { type: "tool", toolName: "answer" },
      stopWhen: stepCountIs(1),
      maxOutputTokens: 48,
      temperature: 0,
      prompt: "Ask the knowledge base how stale cache entries are served.",
    });
    expect(requests[0]!.tool_choice).toEqual({ type: "function", function: { name: "answer" } });
    const step = result.steps[0]!;
    expect(step.toolCalls).toHaveLength(1);
    const call = step.staticToolCalls[0]!;
    expect((await asSchema(answer.inputSchema).validate!(call.input)).success).toBe(true);
    const output = step.staticToolResults[0]!.output;
    expectAnswer(output);
    const toolMessage = result.responseMessages.find((m) => m.role === "tool");
    expect(JSON.stringify(toolMessage)).toContain(output.answerId);
  });

  it("validates its input and options; honours a pre-aborted signal", async () => {
    const t = answerTool(answerer, { maxQuestionLength: 30, allowFilter: true });
    await expect(run(t, { question: "" })).rejects.toBeInstanceOf(ValidationError);
    await expect(run(t, { question: "x".repeat(31) })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      run(t, { question: "retry?", filter: { op: "lt", field: "year", value: true } }),
    ).rejects.toBeInstanceOf(FilterError);
    const json = (await asSchema(t.inputSchema).jsonSchema) as { properties: Record<string, unknown> };
    expect(Object.keys(json.properties).sort()).toEqual(["filter", "question"]);
    expect(() => answerTool({} as never)).toThrow(ValidationError);
    expect(() => answerTool(answerer, { maxQuestionLength: -1 })).toThrow(ValidationError);
    const c = new AbortController();
    c.abort();
    await expect(run(t, { question: "retry?" }, c.signal)).rejects.toMatchObject({ name: "AbortError" });
  });

  it("passes the model's filter, AND-ed with the fixed one, to the retrieval", async () => {
    const t = answerTool(answerer, {
      allowFilter: true,
      filter: { op: "ne", field: "package", value: "lru-cache" },
    });
    const out = await run(t, { question: "resilience", filter: { op: "gte", field: "year", value: 2020 } });
    expect(out.sources.map((s) => s.source)).toEqual(["docs/retries.md"]);
  });
});
