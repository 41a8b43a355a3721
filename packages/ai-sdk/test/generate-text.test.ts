import type { HybridRetriever } from "@ragloom/core";
import { asSchema, generateText, stepCountIs, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startLlmServer, stopAllServices } from "../../../test/services.js";
import { type RetrieverToolOutput, retrieverTool } from "../src/index.js";
import { realRetriever } from "./fixtures.js";
import { type RecordedRequest, serverModel } from "./llm.js";

/** The tool message the second request carried back to the model, parsed. */
function toolMessage(request: RecordedRequest | undefined, toolCallId: string) {
  const m = request?.messages.find((x) => x.role === "tool" && x.tool_call_id === toolCallId);
  expect(m, "the tool result is sent back to the model").toBeDefined();
  return JSON.parse(String(m!.content)) as unknown;
}

function expectDocuments(out: RetrieverToolOutput, k: number) {
  expect(out.documents.length).toBeGreaterThanOrEqual(1);
  expect(out.documents.length).toBeLessThanOrEqual(k);
  for (const d of out.documents) {
    expect(d).toMatchObject({
      id: expect.any(String),
      text: expect.any(String),
      score: expect.any(Number),
      source: expect.any(String),
    });
  }
}

describe("retrieverTool in generateText / streamText against llama-cpp-python (SmolLM2-135M)", () => {
  let llm: ServiceHandle;
  let retriever: HybridRetriever;
  let dispose: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const [server, r] = await Promise.all([startLlmServer(), realRetriever()]);
    llm = server;
    retriever = r.retriever;
    dispose = r.embedder.dispose?.bind(r.embedder);
  });
  afterAll(async () => {
    await stopAllServices();
    await dispose?.();
  });

  it("a forced tool call runs the tool with schema-valid input; its result reaches the next step", async () => {
    const { model, requests } = serverModel(llm.url);
    const search = retrieverTool(retriever, { k: 2, maxK: 3, maxQueryLength: 200 });
    const result = await generateText({
      model,
      tools: { search },
      toolChoice: { type: "tool", toolName: "search" },
      // step 2 answers in text from the tool result
      prepareStep: ({ stepNumber }) => (stepNumber === 0 ? {} : { toolChoice: "none" }),
      stopWhen: stepCountIs(2),
      maxOutputTokens: 48,
      temperature: 0,
      prompt: "How do I retry a failed HTTP request? Search the knowledge base first.",
    });
    expect(result.steps).toHaveLength(2);
    const [first, second] = result.steps;
    // the server turned the forced tool_choice into a grammar-constrained tool call
    expect(requests[0]!.tool_choice).toEqual({ type: "function", function: { name: "search" } });
    expect(requests[0]!.tools?.map((t) => t.function.name)).toEqual(["search"]);
    expect(first!.finishReason).toBe("tool-calls");
    expect(first!.toolCalls).toHaveLength(1);
    const call = first!.staticToolCalls[0]!;
    expect(call.toolName).toBe("search");
    const valid = await asSchema(search.inputSchema).validate!(call.input);
    expect(valid.success).toBe(true);
    expect(call.input.query.length).toBeGreaterThan(0);
    expect(first!.toolResults).toHaveLength(1);
    const output = first!.staticToolResults[0]!.output;
    expect(output.query).toBe(call.input.query);
    expectDocuments(output, call.input.k ?? 2);
    // the second request carries the assistant's tool call and the tool's JSON output
    expect(requests).toHaveLength(2);
    expect(toolMessage(requests[1], call.toolCallId)).toEqual(output);
    expect(requests[1]!.tool_choice).toBe("none");
    expect(["stop", "length"]).toContain(second!.finishReason);
    expect(second!.toolCalls).toHaveLength(0);
    expect(typeof result.text).toBe("string");
    expect(result.text).toBe(second!.text);
    expect(result.responseMessages.map((m) => m.role)).toEqual(["assistant", "tool", "assistant"]);
  });

  it("streams a forced tool call (a filter allowed) and its result", async () => {
    const { model, requests } = serverModel(llm.url);
    const search = retrieverTool(retriever, { k: 2, allowFilter: true, maxQueryLength: 200 });
    const result = streamText({
      model,
      tools: { search },
      toolChoice: { type: "tool", toolName: "search" },
      stopWhen: stepCountIs(1),
      maxOutputTokens: 96,
      temperature: 0,
      prompt: "Find documents about circuit breakers.",
    });
    const types = new Set<string>();
    for await (const part of result.fullStream) types.add(part.type);
    expect(requests[0]!.stream).toBe(true);
    const steps = await result.steps;
    expect(steps).toHaveLength(1);
    const step = steps[0]!;
    // either the call was valid (and executed), or the model's filter was refused as a tool error
    if (step.toolResults.length === 1) {
      expect(types).toContain("tool-result");
      const call = step.staticToolCalls[0]!;
      expect((await asSchema(search.inputSchema).validate!(call.input)).success).toBe(true);
      expectDocuments(step.staticToolResults[0]!.output, call.input.k ?? 2);
    } else {
      expect(types).toContain("tool-error");
      const error = step.content.find((p) => p.type === "tool-error");
      expect(error).toMatchObject({ toolName: "search" });
    }
  });

  it("aborting generateText aborts the tool and the call", async () => {
    const { model } = serverModel(llm.url);
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const search = retrieverTool(
      {
        retrieve: async (query, options) => {
          seen.push(options!.signal!);
          controller.abort();
          return retriever.retrieve(query, options);
        },
      },
      // the server's grammar bounds the query's length, so the call fits in maxOutputTokens
      { maxQueryLength: 60 },
    );
    const run = generateText({
      model,
      tools: { search },
      toolChoice: { type: "tool", toolName: "search" },
      stopWhen: stepCountIs(2),
      maxOutputTokens: 96,
      temperature: 0,
      abortSignal: controller.signal,
      prompt: "How do caches serve stale entries?",
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.aborted).toBe(true);
  });
});
