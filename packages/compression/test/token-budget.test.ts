import { ValidationError } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CompressionWarning,
  createTokenBudget,
  embedderTokenizer,
  loadTiktokenTokenizer,
  type Tokenizer,
} from "../src/index.js";
import { DOCS, isOrderedSubset, loadEmbedder, QUERY, sentencesOf } from "./fixtures.js";

let embedder: TransformersEmbedder;
let cl100k: Tokenizer;
beforeAll(async () => {
  embedder = await loadEmbedder();
  cl100k = await loadTiktokenTokenizer("cl100k_base");
});
afterAll(async () => {
  await embedder.dispose?.();
});

const total = (t: Tokenizer, docs: { text: string }[]) => docs.reduce((s, d) => s + t.count(d.text), 0);

describe("createTokenBudget", () => {
  it("without an embedder, fills the budget in input order with whole sentences", async () => {
    const out = await createTokenBudget({ maxTokens: 50, tokenizer: cl100k }).compress(DOCS, QUERY);
    expect(total(cl100k, out)).toBeLessThanOrEqual(50);
    expect(out[0]!.id).toBe("eiffel");
    expect(sentencesOf(out[0]!.text)[0]).toBe(sentencesOf(DOCS[0]!.text)[0]);
    for (const d of out) expect(isOrderedSubset(DOCS.find((x) => x.id === d.id)!.text, d.text)).toBe(true);
  });

  it("is exact for every budget, in the embedder's tokenizer too", async () => {
    const tok = embedderTokenizer(embedder);
    for (const maxTokens of [15, 30, 60, 120]) {
      const out = await createTokenBudget({
        maxTokens,
        tokenizer: tok,
        embedder,
        onWarning: () => {},
      }).compress(DOCS, QUERY);
      expect(total(tok, out)).toBeLessThanOrEqual(maxTokens);
      for (const d of out) expect(isOrderedSubset(DOCS.find((x) => x.id === d.id)!.text, d.text)).toBe(true);
    }
  });

  it("returns everything untouched when it already fits", async () => {
    const out = await createTokenBudget({ maxTokens: 10_000, tokenizer: cl100k }).compress(DOCS, QUERY);
    expect(out).toEqual(DOCS);
  });

  it("with an embedder, spends the budget on the most similar sentences", async () => {
    const out = await createTokenBudget({ maxTokens: 25, tokenizer: cl100k, embedder }).compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).not.toContain("fruit");
    expect(out.map((d) => d.text).join(" ")).toMatch(/Eiffel|tower/i);
  });

  it("warns about a sentence longer than the whole budget instead of cutting it", async () => {
    const warnings: CompressionWarning[] = [];
    const out = await createTokenBudget({
      maxTokens: 5,
      tokenizer: cl100k,
      onWarning: (w) => warnings.push(w),
    }).compress([DOCS[0]!], QUERY);
    expect(out).toEqual([]);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((w) => w.code === "budget-too-small")).toBe(true);
  });

  it("validates maxTokens", () => {
    expect(() => createTokenBudget({ maxTokens: 0, tokenizer: cl100k })).toThrow(ValidationError);
  });
});
