import { ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { embedderTokenizer, loadTiktokenTokenizer, wordTokenizer } from "../src/index.js";

describe("tokenizers", () => {
  it("counts with tiktoken encodings offline and counts special-token text as plain text", async () => {
    const cl = await loadTiktokenTokenizer("cl100k_base");
    const o2 = await loadTiktokenTokenizer("o200k_base");
    expect(cl.name).toBe("tiktoken:cl100k_base");
    expect(o2.name).toBe("tiktoken:o200k_base");
    expect(cl.count("hello world")).toBe(2);
    expect(o2.count("hello world")).toBe(2);
    expect(cl.count("<|endoftext|>")).toBeGreaterThan(1);
    expect(await loadTiktokenTokenizer("cl100k_base")).toBe(cl);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input
    await expect(loadTiktokenTokenizer("nope" as any)).rejects.toBeInstanceOf(ValidationError);
  });

  it("needs the encoding named, and says which ones exist", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the call a JavaScript user can make
    const err = await (loadTiktokenTokenizer as any)().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/cl100k_base.*o200k_base.*wordTokenizer/);
  });

  it("counts words synchronously with wordTokenizer", () => {
    expect(wordTokenizer.name).toBe("words");
    expect(wordTokenizer.count("")).toBe(0);
    expect(wordTokenizer.count("  The tower is 330 m tall.\n\tIt is\u00a0old. ")).toBe(9);
  });

  it("needs countTokens for an embedder tokenizer", () => {
    const embedder = {
      modelId: "x",
      dimensions: 1,
      normalized: true,
      embedDocuments: async () => [],
      embedQuery: async () => new Float32Array(1),
    };
    expect(() => embedderTokenizer(embedder)).toThrow(ValidationError);
  });
});
