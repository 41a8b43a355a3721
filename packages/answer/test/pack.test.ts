import { loadTiktokenTokenizer } from "@ragloom/compression";
import type { ScoredDocument } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { formatSource, packSources } from "../src/index.js";
import { DOCS } from "./fixtures.js";

const tokenizer = await loadTiktokenTokenizer("cl100k_base");
const docs: ScoredDocument[] = DOCS.map((d, i) => ({ ...d, score: 3 - i }));

describe("packSources", () => {
  it("numbers whole documents best first when they fit, with titles and metadata", () => {
    const p = packSources(docs, { maxTokens: 1000, tokenizer });
    expect(p.sources.map((s) => [s.n, s.id, s.title, s.truncated])).toEqual([
      [1, "retry", "Retries", false],
      [2, "breaker", "Circuit breakers", false],
      [3, "cache", "Caching", false],
    ]);
    expect(p.sources[0]!.metadata.package).toBe("p-retry");
    expect(p.context.startsWith("[1] Retries\nRetry a failed request")).toBe(true);
    expect(p.tokens).toBe(tokenizer.count(p.context));
    expect(p.left).toEqual([]);
  });

  it("never exceeds the budget: cuts a document to the leading sentences that fit, or skips it", () => {
    for (const maxTokens of [5, 12, 25, 40, 60, 75]) {
      const sentence = packSources(docs, { maxTokens, tokenizer });
      const document = packSources(docs, { maxTokens, tokenizer, unit: "document" });
      for (const p of [sentence, document]) {
        expect(p.tokens).toBeLessThanOrEqual(maxTokens);
        expect(p.tokens).toBe(p.sources.length ? tokenizer.count(p.context) : 0);
        expect(p.sources.map((s) => s.n)).toEqual(p.sources.map((_, i) => i + 1));
        expect(p.sources.length + p.left.length).toBe(docs.length);
      }
      expect(document.sources.every((s) => !s.truncated)).toBe(true);
      for (const s of sentence.sources.filter((x) => x.truncated)) {
        expect(DOCS.find((d) => d.id === s.id)!.text.startsWith(s.text)).toBe(true);
      }
    }
    const tiny = packSources(docs, { maxTokens: 20, tokenizer });
    expect(tiny.sources[0]).toMatchObject({ id: "retry", truncated: true });
  });

  it("uses a custom source format, and rejects a bad budget", () => {
    const p = packSources(docs.slice(0, 1), {
      maxTokens: 100,
      tokenizer,
      format: (s) => `Source ${s.n} (${s.metadata.package}): ${s.text}`,
    });
    expect(p.context.startsWith("Source 1 (p-retry): Retry")).toBe(true);
    expect(formatSource({ n: 2, id: "x", text: "t" })).toBe("[2] x\nt");
    expect(() => packSources(docs, { maxTokens: 0, tokenizer })).toThrow(/maxContextTokens/);
  });
});
