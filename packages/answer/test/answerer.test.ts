import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { AbortError, type LanguageModel, ValidationError } from "@ragloom/core";
import { createLlamaCppModel, type LlamaCppModel } from "@ragloom/core/llama-cpp";
import {
  createExperiments,
  createInMemoryExperimentStore,
  createInMemoryPromptStore,
  createPromptRegistry,
} from "@ragloom/prompts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLM_MODEL_FILE } from "../../../test/services.js";
import {
  type Answer,
  type AnswerPart,
  createAnswerer,
  DEFAULT_ANSWER_PROMPT,
  isDeclined,
} from "../src/index.js";
import { bm25Retriever } from "./fixtures.js";

const QUESTION = "How do I retry a failed request with exponential backoff?";

/** The real model with `inject` appended to its output: a fault a real model will not produce on demand. */
function appending(model: LlamaCppModel, inject: string): LanguageModel {
  return {
    modelId: model.modelId,
    countTokens: (t) => model.countTokens(t),
    generate: (m, o) => model.generate(m, o),
    async *stream(messages, options) {
      for await (const p of model.stream(messages, options)) {
        if (p.type === "finish") yield { type: "text-delta", text: inject };
        yield p;
      }
    },
  };
}

function recorder() {
  const events = new EventEmitter();
  const seen: Array<[string, Record<string, unknown>]> = [];
  for (const name of [
    "answer:start",
    "answer:first-token",
    "answer:end",
    "answer:error",
    "citation:invalid",
    "answer:feedback",
  ]) {
    events.on(name, (p: Record<string, unknown>) => seen.push([name, p]));
  }
  return { events, seen, names: () => seen.map(([n]) => n) };
}

describe("createAnswerer with SmolLM2-135M in process (node-llama-cpp)", () => {
  let model: LlamaCppModel;
  beforeAll(async () => {
    if (!existsSync(LLM_MODEL_FILE)) {
      throw new Error(`LLM model not found at ${LLM_MODEL_FILE}: run \`bash scripts/setup.sh\``);
    }
    model = await createLlamaCppModel({ modelPath: LLM_MODEL_FILE, threads: 1, contextSize: 2048 });
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it("streams sources, text deltas and citations, then done with the final answer", async () => {
    const rec = recorder();
    const answerer = createAnswerer({
      retriever: bm25Retriever(),
      model,
      maxContextTokens: 200,
      maxTokens: 40,
      events: rec.events,
    });
    const parts: AnswerPart[] = [];
    for await (const p of answerer.answer(QUESTION, { stream: true })) parts.push(p);
    expect(parts[0]!.type).toBe("sources");
    expect(parts.at(-1)!.type).toBe("done");
    expect(parts.filter((p) => p.type === "done")).toHaveLength(1);
    const answer = (parts.at(-1) as { answer: Answer }).answer;
    const deltas = parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(answer.text);
    expect(parts.flatMap((p) => (p.type === "citation" ? [p.citation] : []))).toEqual(answer.citations);
    expect(answer.sources.length).toBeGreaterThan(0);
    expect(answer.sources.map((s) => s.n)).toEqual(answer.sources.map((_, i) => i + 1));
    expect(answer.sources[0]!.id).toBe("retry");
    expect(answer.usage.contextTokens).toBeLessThanOrEqual(200);
    expect(answer.usage.tokenizer).toBe(`model:${model.modelId}`);
    expect(answer.usage.promptTokens).toBeGreaterThan(answer.usage.contextTokens);
    expect(answer.usage.completionTokens).toBeGreaterThan(0);
    expect(answer.usage.completionTokensEstimated).toBe(false);
    for (const stage of ["retrieve", "retrieve.lexical", "pack", "firstToken", "generate", "total"]) {
      expect(answer.timings[stage], stage).toBeGreaterThanOrEqual(0);
    }
    expect(answer.prompt).toEqual({ source: "default", name: "ragloom-answer", version: 1 });
    expect(typeof answer.grounded).toBe("boolean");
    if (!answer.grounded) expect(["model-declined", "no-valid-citation"]).toContain(answer.ungroundedReason);
    expect(rec.names()[0]).toBe("answer:start");
    expect(rec.names()).toContain("answer:first-token");
    expect(rec.names().at(-1)).toBe("answer:end");
  });

  it("removes and reports markers that point at no source; works as a web ReadableStream", async () => {
    const rec = recorder();
    const answerer = createAnswerer({
      retriever: bm25Retriever(),
      model: appending(model, " See [1] and [9]."),
      maxContextTokens: 200,
      maxTokens: 24,
      events: rec.events,
    });
    const reader = answerer.answer(QUESTION, { stream: true }).toReadableStream().getReader();
    let answer: Answer | undefined;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.type === "done") answer = value.answer;
    }
    expect(answer!.rawText.endsWith(" See [1] and [9].")).toBe(true);
    expect(answer!.text.endsWith(" See [1] and.")).toBe(true);
    expect(answer!.citations.at(-1)).toMatchObject({ source: 9, valid: false, problem: "unknown-source" });
    expect(answer!.citations.at(-2)).toMatchObject({ source: 1, valid: true, documentId: "retry" });
    expect(answer!.dropped.markers).toBeGreaterThanOrEqual(1);
    expect(answer!.dropped.byProblem["unknown-source"]).toBeGreaterThanOrEqual(1);
    expect(rec.seen.filter(([n]) => n === "citation:invalid").map(([, p]) => p.citation)).toContainEqual(
      answer!.citations.at(-1),
    );
  });

  it("says so when there is no context: grounded false, and the model is not called", async () => {
    let calls = 0;
    const counting: LanguageModel = {
      modelId: model.modelId,
      countTokens: (t) => model.countTokens(t),
      generate: (m, o) => {
        calls++;
        return model.generate(m, o);
      },
    };
    const retriever = bm25Retriever();
    const strict = createAnswerer({ retriever, model: counting, minScore: 1e6 });
    const a = await strict.answer(QUESTION);
    expect(a).toMatchObject({ grounded: false, ungroundedReason: "no-context", text: "I don't know." });
    expect(a.documents.length).toBeGreaterThan(0);
    expect(a.sources).toEqual([]);
    const none = await createAnswerer({ retriever, model: counting }).answer("zzzz qqqq");
    expect(none).toMatchObject({ grounded: false, ungroundedReason: "no-context", citations: [] });
    expect(calls).toBe(0);
    expect(retriever.calls).toBe(2);
    // without a stream method the answer is generated in one piece, with the same final shape
    const once = await createAnswerer({ retriever, model: counting, maxTokens: 16 }).answer(QUESTION);
    expect(calls).toBe(1);
    expect(once.sources.length).toBeGreaterThan(0);
    expect(once.text.length).toBeGreaterThan(0);
  });

  it("aborts mid-stream with AbortError and reports answer:error", async () => {
    const rec = recorder();
    const answerer = createAnswerer({
      retriever: bm25Retriever(),
      model,
      maxTokens: 200,
      events: rec.events,
    });
    const controller = new AbortController();
    const error = await (async () => {
      for await (const p of answerer.answer(QUESTION, { stream: true, signal: controller.signal }))
        if (p.type === "text-delta") controller.abort();
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(rec.names()).toContain("answer:error");
    expect(rec.names()).not.toContain("answer:end");
    await expect(answerer.answer("  ")).rejects.toBeInstanceOf(ValidationError);
  });

  it("runs a prompt A/B experiment end to end: variants, exposures, feedback", async () => {
    const registry = createPromptRegistry({ store: createInMemoryPromptStore() });
    await registry.publish({ name: "rag", content: DEFAULT_ANSWER_PROMPT.content, labels: ["production"] });
    await registry.publish({
      name: "rag",
      content: {
        type: "chat",
        messages: [
          { role: "system", content: "Answer in one sentence from the sources. Cite like [1]." },
          { role: "user", content: "{{context}}\n\nQuestion: {{question}}" },
        ],
      },
      labels: ["staging"],
    });
    const experiments = createExperiments({ store: createInMemoryExperimentStore(), prompts: registry });
    await experiments.create({
      id: "rag-short",
      prompt: "rag",
      variants: [
        { name: "control", label: "production", weight: 1 },
        { name: "short", label: "staging", weight: 1 },
      ],
    });
    const rec = recorder();
    const answerer = createAnswerer({
      retriever: bm25Retriever(),
      model,
      prompt: { experiments, experiment: "rag-short" },
      maxContextTokens: 120,
      maxTokens: 12,
      events: rec.events,
    });
    await expect(answerer.answer(QUESTION)).rejects.toThrow(/unitId/);
    const seenVariants = new Set<string>();
    const answers: Answer[] = [];
    for (const unitId of ["u1", "u2", "u3", "u4"]) {
      const expected = await experiments.assign("rag-short", unitId, { record: false });
      const a = await answerer.answer(QUESTION, { unitId });
      expect(a.prompt).toEqual({
        source: "experiment",
        name: "rag",
        version: expected.version,
        experiment: "rag-short",
        variant: expected.variant,
      });
      seenVariants.add(expected.variant);
      answers.push(a);
    }
    expect(seenVariants.size).toBe(2);
    const r1 = await answerer.feedback(answers[0]!.id, { converted: true });
    expect(r1).toEqual({ recorded: true, experiment: "rag-short", variant: answers[0]!.prompt.variant });
    expect((await answerer.feedback(answers[1]!.id, { score: 4 })).recorded).toBe(true);
    await expect(answerer.feedback("nope", { converted: true })).rejects.toBeInstanceOf(ValidationError);
    await expect(answerer.feedback(answers[2]!.id, {})).rejects.toBeInstanceOf(ValidationError);
    const report = await experiments.report("rag-short");
    const exposures = report.variants.reduce((n, v) => n + v.exposures, 0);
    expect(exposures).toBe(4);
    expect(report.variants.reduce((n, v) => n + (v.conversions ?? 0), 0)).toBe(1);
    const scores = await experiments.report("rag-short", { metric: "score", kind: "value" });
    expect(scores.variants.reduce((n, v) => n + v.n, 0)).toBe(1);
    expect(rec.seen.filter(([n]) => n === "answer:feedback")).toHaveLength(2);
  });
});

describe("isDeclined", () => {
  it("recognises the requested sentence at the start, and other phrasings only without citations", () => {
    expect(isDeclined("I don't know.", 0)).toBe(true);
    expect(isDeclined("  I do not know the answer", 2)).toBe(true);
    expect(isDeclined("The sources do not mention a timeout.", 0)).toBe(true);
    expect(isDeclined("The sources do not mention X, but retries back off [1].", 1)).toBe(false);
    expect(isDeclined("Retries back off exponentially [1].", 1)).toBe(false);
  });
});
