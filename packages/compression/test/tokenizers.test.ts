import { ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { embedderTokenizer, loadTiktokenTokenizer } from "../src/index.js";

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
