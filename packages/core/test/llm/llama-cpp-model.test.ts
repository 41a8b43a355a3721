import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLM_MODEL_FILE } from "../../../../test/services.js";
import { AbortError, type GenerateStreamPart, ServiceError, ValidationError } from "../../src/index.js";
import { createLlamaCppModel, type LlamaCppModel } from "../../src/llama-cpp.js";

const textOf = (parts: GenerateStreamPart[]) =>
  parts.map((p) => (p.type === "text-delta" ? p.text : "")).join("");

describe("createLlamaCppModel: SmolLM2-135M in process with node-llama-cpp", () => {
  let llm: LlamaCppModel;
  beforeAll(async () => {
    if (!existsSync(LLM_MODEL_FILE)) {
      throw new Error(`LLM model not found at ${LLM_MODEL_FILE}: run \`bash scripts/setup.sh\``);
    }
    llm = await createLlamaCppModel({ modelPath: LLM_MODEL_FILE, threads: 1, contextSize: 2048 });
  });
  afterAll(async () => {
    await llm?.dispose();
  });

  it("generates with exact token counts and counts tokens with the model's tokenizer", async () => {
    expect(llm.modelId).toBe("SmolLM2-135M-Instruct.Q4_1");
    expect(llm.contextSize).toBe(2048);
    expect(llm.countTokens("hello world")).toBe(2);
    const r = await llm.generate([{ role: "user", content: "Say hello." }], { maxTokens: 8 });
    expect(r.text.trim()).not.toBe("");
    expect(["stop", "length"]).toContain(r.finishReason);
    expect(r.usage!.promptTokens).toBeGreaterThan(3);
    expect(r.usage!.completionTokens).toBeGreaterThan(0);
    expect(r.usage!.completionTokens).toBeLessThanOrEqual(8);
  });

  it("streams text deltas, then one finish part; the deltas make up the text", async () => {
    const parts: GenerateStreamPart[] = [];
    for await (const p of llm.stream([{ role: "user", content: "Name three colours." }], { maxTokens: 16 }))
      parts.push(p);
    const last = parts.at(-1)!;
    expect(last).toMatchObject({ type: "finish" });
    expect(parts.slice(0, -1).every((p) => p.type === "text-delta")).toBe(true);
    expect(parts.length).toBeGreaterThan(2);
    expect(textOf(parts).trim()).not.toBe("");
    if (last.type === "finish") expect(last.usage!.completionTokens).toBeGreaterThan(0);
  });

  it("enforces a JSON schema with a grammar", async () => {
    const schema = {
      type: "object",
      properties: { colour: { enum: ["blue", "green", "red"] }, sure: { type: "boolean" } },
      required: ["colour", "sure"],
    } as const;
    const r = await llm.generate([{ role: "user", content: "What colour is the sky? Answer in JSON." }], {
      json: { schema },
      maxTokens: 32,
    });
    const parsed = JSON.parse(r.text) as Record<string, unknown>;
    expect(["blue", "green", "red"]).toContain(parsed.colour);
    expect(typeof parsed.sure).toBe("boolean");
  });

  it("aborts mid-stream with AbortError; a reader that stops early frees the model", async () => {
    const messages = [{ role: "user" as const, content: "Write a long story about a dragon." }];
    const controller = new AbortController();
    let deltas = 0;
    const error = await (async () => {
      for await (const p of llm.stream(messages, { maxTokens: 300, signal: controller.signal }))
        if (p.type === "text-delta" && ++deltas === 3) controller.abort();
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(deltas).toBe(3);

    for await (const p of llm.stream(messages, { maxTokens: 1500 })) if (p.type === "text-delta") break;
    const t0 = performance.now();
    const r = await llm.generate([{ role: "user", content: "Hi" }], { maxTokens: 4 });
    expect(r.finishReason).toBeDefined();
    // the abandoned 1500-token story is not generated to its end first (25 s at 60 tokens/s)
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it("refuses a prompt that does not fit the context instead of shifting it", async () => {
    const long = "word ".repeat(2100);
    await expect(llm.generate([{ role: "user", content: long }], { maxTokens: 8 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(llm.generate([], {})).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("createLlamaCppModel without node-llama-cpp", () => {
  it("says which optional peer to install", async () => {
    const error = await createLlamaCppModel({
      modelPath: "x.gguf",
      load: () => Promise.reject(new Error("Cannot find package 'node-llama-cpp'")),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as Error).message).toContain("node-llama-cpp");
  });
});
