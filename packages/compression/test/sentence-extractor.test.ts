import { AbortError, ValidationError } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSentenceExtractor,
  DEFAULT_BEST_SENTENCE_WEIGHT,
  DEFAULT_COSINE_DOCUMENT_WEIGHT,
  DEFAULT_COSINE_MARGIN,
  DEFAULT_DOCUMENT_WEIGHT,
  DEFAULT_LEXICAL_WEIGHT,
  DEFAULT_MARGIN,
  DEFAULT_SENTENCE_LEXICAL_WEIGHT,
  loadTiktokenTokenizer,
  wordTokenizer,
} from "../src/index.js";
import { countingEmbedder, DOCS, isOrderedSubset, loadEmbedder, QUERY, sentencesOf } from "./fixtures.js";

let embedder: TransformersEmbedder;
beforeAll(async () => {
  embedder = await loadEmbedder();
});
afterAll(async () => {
  await embedder.dispose?.();
});

describe("createSentenceExtractor", () => {
  it("keeps the best sentence of each document, verbatim, with id, metadata and score", async () => {
    const c = createSentenceExtractor({
      embedder,
      select: { by: "count", count: 1 },
      scope: "document",
      scoring: "sentence",
      contextWeight: 0,
    });
    const out = await c.compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).toEqual(["eiffel", "paris", "fruit"]);
    out.forEach((d, i) => {
      expect(d.metadata).toEqual(DOCS[i]!.metadata);
      expect(d.score).toBe(DOCS[i]!.score);
      expect(sentencesOf(d.text)).toHaveLength(1);
      expect(sentencesOf(DOCS[i]!.text)).toContain(d.text);
    });
    expect(out[0]!.text).toMatch(/Eiffel Tower|tower is 330/);
    expect(DOCS[0]!.text).toContain("Bananas"); // input not mutated
  });

  it("threshold drops off-topic sentences and documents left empty", async () => {
    const c = createSentenceExtractor({
      embedder,
      select: { by: "threshold", threshold: 0.45 },
      scoring: "sentence",
      contextWeight: 0,
    });
    const out = await c.compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).not.toContain("fruit");
    expect(out.find((d) => d.id === "eiffel")!.text).not.toContain("Bananas");
    for (const d of out) expect(isOrderedSubset(DOCS.find((x) => x.id === d.id)!.text, d.text)).toBe(true);
  });

  it("fraction keeps ceil(f·n) sentences per document in original order", async () => {
    const c = createSentenceExtractor({
      embedder,
      select: { by: "fraction", fraction: 0.5 },
      scope: "document",
    });
    const out = await c.compress(DOCS, QUERY);
    out.forEach((d, i) => {
      const n = sentencesOf(DOCS[i]!.text).length;
      expect(sentencesOf(d.text)).toHaveLength(Math.ceil(n / 2));
      expect(isOrderedSubset(DOCS[i]!.text, d.text)).toBe(true);
    });
  });

  it("scope all picks the best sentences across documents", async () => {
    const c = createSentenceExtractor({
      embedder,
      select: { by: "count", count: 2 },
      scope: "all",
      scoring: "sentence",
      contextWeight: 0,
    });
    const out = await c.compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).toEqual(["eiffel", "paris"]);
    expect(out.flatMap((d) => sentencesOf(d.text))).toHaveLength(2);
  });

  it("neighbors add the sentences around each selected one", async () => {
    const one = { select: { by: "count", count: 1 }, scope: "document", contextWeight: 0 } as const;
    const base = createSentenceExtractor({ embedder, ...one });
    const wide = createSentenceExtractor({ embedder, ...one, neighbors: 1 });
    const [a, b] = await Promise.all([base.compress([DOCS[0]!], QUERY), wide.compress([DOCS[0]!], QUERY)]);
    const all = sentencesOf(DOCS[0]!.text);
    const picked = all.indexOf(a[0]!.text);
    expect(sentencesOf(b[0]!.text)).toEqual(all.slice(Math.max(0, picked - 1), picked + 2));
  });

  it("budget keeps whole sentences within maxTokens (all documents together)", async () => {
    const tokenizer = await loadTiktokenTokenizer("cl100k_base");
    const c = createSentenceExtractor({
      embedder,
      select: { by: "budget", maxTokens: 40, tokenizer },
      scope: "all",
    });
    const out = await c.compress(DOCS, QUERY);
    const total = out.reduce((s, d) => s + tokenizer.count(d.text), 0);
    expect(total).toBeLessThanOrEqual(40);
    expect(total).toBeGreaterThan(10);
    for (const d of out) expect(isOrderedSubset(DOCS.find((x) => x.id === d.id)!.text, d.text)).toBe(true);
  });

  it("ratio keeps about that share of the tokens, the most relevant ones", async () => {
    const tokenizer = await loadTiktokenTokenizer("cl100k_base");
    const c = createSentenceExtractor({
      embedder,
      select: { by: "ratio", ratio: 0.5, tokenizer },
      scope: "all",
      scoring: "sentence+document",
      documentWeight: 2,
    });
    const out = await c.compress(DOCS, QUERY);
    const count = (docs: { text: string }[]) => docs.reduce((s, d) => s + tokenizer.count(d.text), 0);
    expect(count(out)).toBeLessThanOrEqual(count(DOCS) / 2 + 1);
    expect(count(out)).toBeGreaterThan(count(DOCS) / 4);
    expect(out.map((d) => d.id)).not.toContain("fruit");
    expect(() =>
      createSentenceExtractor({ embedder, select: { by: "ratio", ratio: 1.5, tokenizer } }),
    ).toThrow(ValidationError);
  });

  it("drops the stale vector of a shortened document and keeps an untouched one whole", async () => {
    const vector = new Float32Array(embedder.dimensions).fill(0.1);
    const c = createSentenceExtractor({
      embedder,
      select: { by: "threshold", threshold: -1 },
      scoring: "sentence",
    });
    const [same] = await c.compress([{ ...DOCS[0]!, vector }], QUERY);
    expect(same!.vector).toBe(vector);
    const cut = createSentenceExtractor({ embedder, select: { by: "count", count: 1 } });
    const [short] = await cut.compress([{ ...DOCS[0]!, vector }], QUERY);
    expect(short!.vector).toBeUndefined();
  });

  it("embeds all sentences in one batched call, plus the query", async () => {
    const { embedder: counted, calls } = countingEmbedder(embedder);
    const c = createSentenceExtractor({
      embedder: counted,
      select: { by: "count", count: 1 },
      scoring: "sentence",
    });
    await c.compress(DOCS, QUERY);
    expect(calls.queries).toBe(1);
    const sentences = DOCS.flatMap((d) => sentencesOf(d.text)).length;
    expect(calls.documents).toBe(sentences);
    // hybrid scoring (the default) embeds the documents that carry no vector in the same call
    await createSentenceExtractor({ embedder: counted }).compress(DOCS, QUERY);
    expect(calls.documents).toBe(2 * sentences + DOCS.length);
  });

  it("defaults to hybrid scoring, keeping the sentences within DEFAULT_MARGIN of the best", async () => {
    const c = createSentenceExtractor({ embedder });
    expect(c.name).toBe(
      `sentence-extractor(within ${DEFAULT_MARGIN} of the best, all, hybrid (${DEFAULT_SENTENCE_LEXICAL_WEIGHT} BM25), +${DEFAULT_DOCUMENT_WEIGHT}·doc (${DEFAULT_LEXICAL_WEIGHT} BM25)${DEFAULT_BEST_SENTENCE_WEIGHT ? `, ${DEFAULT_BEST_SENTENCE_WEIGHT} best sentence` : ""})`,
    );
    const out = await c.compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).not.toContain("fruit");
    expect(out[0]!.text).toMatch(/330 metres/);
    const words = (docs: { text: string }[]) => docs.reduce((s, d) => s + wordTokenizer.count(d.text), 0);
    expect(words(out)).toBeLessThan(words(DOCS));
    const explicit = createSentenceExtractor({
      embedder,
      scoring: "hybrid",
      documentWeight: DEFAULT_DOCUMENT_WEIGHT,
      bestSentenceWeight: DEFAULT_BEST_SENTENCE_WEIGHT,
      select: { by: "margin", margin: DEFAULT_MARGIN },
    });
    expect(await explicit.compress(DOCS, QUERY)).toEqual(out);
    expect(() => createSentenceExtractor({ embedder, bestSentenceWeight: 1.5 })).toThrow(ValidationError);
  });

  it("cosine scorings default to DEFAULT_COSINE_MARGIN and DEFAULT_COSINE_DOCUMENT_WEIGHT", async () => {
    const c = createSentenceExtractor({ embedder, scoring: "sentence+document" });
    expect(c.name).toBe(
      `sentence-extractor(within ${DEFAULT_COSINE_MARGIN} of the best, all, +${DEFAULT_COSINE_DOCUMENT_WEIGHT}·doc (${DEFAULT_LEXICAL_WEIGHT} BM25))`,
    );
    const out = await c.compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).not.toContain("fruit");
    expect(out[0]!.text).toMatch(/330 metres/);
    expect(createSentenceExtractor({ embedder, scoring: "sentence" }).name).toContain(
      `within ${DEFAULT_COSINE_MARGIN} of the best`,
    );
  });

  it("margin keeps what scores close to the best: 0 keeps the best sentence, a wide margin keeps all", async () => {
    const plain = { scoring: "sentence", contextWeight: 0, scope: "all" } as const;
    const best = await createSentenceExtractor({
      embedder,
      select: { by: "margin", margin: 0 },
      ...plain,
    }).compress(DOCS, QUERY);
    expect(best.flatMap((d) => sentencesOf(d.text))).toHaveLength(1);
    const all = await createSentenceExtractor({
      embedder,
      select: { by: "margin", margin: 5 },
      ...plain,
    }).compress(DOCS, QUERY);
    expect(all).toEqual(DOCS);
    const perDoc = await createSentenceExtractor({
      embedder,
      select: { by: "margin", margin: 0 },
      ...plain,
      scope: "document",
    }).compress(DOCS, QUERY);
    expect(perDoc.map((d) => sentencesOf(d.text).length)).toEqual([1, 1, 1]);
    expect(() => createSentenceExtractor({ embedder, select: { by: "margin", margin: -0.1 } })).toThrow(
      ValidationError,
    );
  });

  it("lexicalWeight lets the query's exact words pick the document", async () => {
    const docs = [
      { id: "general", metadata: {}, text: "Proteins fold into shapes. Folding errors cause disease." },
      { id: "named", metadata: {}, text: "PRNP encodes the prion protein. PRNP variants change the risk." },
    ];
    const query = "Which gene is PRNP?";
    const one = {
      select: { by: "count", count: 1 },
      scope: "all",
      scoring: "sentence+document",
      documentWeight: 5,
    } as const;
    const dense = await createSentenceExtractor({ embedder, ...one, lexicalWeight: 0 }).compress(docs, query);
    const lexical = await createSentenceExtractor({ embedder, ...one, lexicalWeight: 1 }).compress(
      docs,
      query,
    );
    expect(lexical.map((d) => d.id)).toEqual(["named"]);
    expect(dense.length).toBe(1);
    expect(() => createSentenceExtractor({ embedder, lexicalWeight: 1.5 })).toThrow(ValidationError);
  });

  it("hybrid scoring lets the query's exact words pick the sentence inside a document", async () => {
    const docs = [
      {
        id: "gene",
        metadata: {},
        text: "Proteins fold into shapes and folding errors cause disease. PRNP variants change the risk.",
      },
      { id: "other", metadata: {}, text: "Bananas are yellow. Apples grow on trees." },
    ];
    const query = "Do PRNP variants matter?";
    const one = { select: { by: "count", count: 1 }, scope: "all", scoring: "hybrid" } as const;
    const lexical = await createSentenceExtractor({ embedder, ...one, sentenceLexicalWeight: 1 }).compress(
      docs,
      query,
    );
    expect(lexical.map((d) => d.text)).toEqual(["PRNP variants change the risk."]);
    const c = createSentenceExtractor({ embedder, scoring: "hybrid", documentWeight: 3 });
    expect(c.name).toContain("hybrid (0.5 BM25)");
    const out = await c.compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).not.toContain("fruit");
    expect(() => createSentenceExtractor({ embedder, sentenceLexicalWeight: 2 })).toThrow(ValidationError);
  });

  it("ratio counts words unless a tokenizer is named; budget needs one and says which", async () => {
    const byWords = createSentenceExtractor({ embedder, select: { by: "ratio", ratio: 0.5 } });
    const out = await byWords.compress(DOCS, QUERY);
    const total = DOCS.reduce((s, d) => s + wordTokenizer.count(d.text), 0);
    expect(out.reduce((s, d) => s + wordTokenizer.count(d.text), 0)).toBeLessThanOrEqual(total / 2);
    const err = (() => {
      try {
        // biome-ignore lint/suspicious/noExplicitAny: the call a JavaScript user can make
        createSentenceExtractor({ embedder, select: { by: "budget", maxTokens: 50 } as any });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/wordTokenizer.*loadTiktokenTokenizer\("cl100k_base"\)/);
  });

  it("contextWeight lifts the neighbours of relevant sentences over weak ones elsewhere", async () => {
    const doc = {
      id: "mixed",
      metadata: {},
      text:
        "The Eiffel Tower is 330 metres tall. Bananas are rich in potassium. " +
        "Apples grow on trees. The tower in Paris is a very high structure.",
    };
    const select = { by: "count", count: 2 } as const;
    const scoring = "sentence";
    const [alone] = await createSentenceExtractor({ embedder, select, scoring, contextWeight: 0 }).compress(
      [doc],
      QUERY,
    );
    expect(sentencesOf(alone!.text)).toEqual([
      "The Eiffel Tower is 330 metres tall.",
      "The tower in Paris is a very high structure.",
    ]);
    const [context] = await createSentenceExtractor({
      embedder,
      select,
      scoring,
      contextWeight: 10,
    }).compress([doc], QUERY);
    expect(sentencesOf(context!.text)).toEqual(["Bananas are rich in potassium.", "Apples grow on trees."]);
  });

  it("sentence+document scoring favours sentences of relevant documents", async () => {
    const c = createSentenceExtractor({
      embedder,
      select: { by: "count", count: 3 },
      scope: "all",
      scoring: "sentence+document",
    });
    const out = await c.compress(DOCS, QUERY);
    expect(out.map((d) => d.id)).not.toContain("fruit");
  });

  it("rejects bad options, an empty query and an aborted signal", async () => {
    expect(() => createSentenceExtractor({ embedder, select: { by: "fraction", fraction: 0 } })).toThrow(
      ValidationError,
    );
    expect(() =>
      createSentenceExtractor({ embedder, select: { by: "count", count: 1 }, neighbors: -1 }),
    ).toThrow(ValidationError);
    expect(() => createSentenceExtractor({ embedder, contextWeight: -1 })).toThrow(ValidationError);
    expect(() => createSentenceExtractor({ embedder, documentWeight: Number.NaN })).toThrow(ValidationError);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input
    expect(() => createSentenceExtractor({ embedder, scope: "page" as any })).toThrow(ValidationError);
    const c = createSentenceExtractor({ embedder, select: { by: "count", count: 1 } });
    await expect(c.compress(DOCS, " ")).rejects.toBeInstanceOf(ValidationError);
    const ac = new AbortController();
    ac.abort();
    await expect(c.compress(DOCS, QUERY, { signal: ac.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
    const ac2 = new AbortController();
    ac2.abort(new AbortError());
    await expect(c.compress(DOCS, QUERY, { signal: ac2.signal })).rejects.toBeInstanceOf(AbortError);
    expect(await c.compress([], QUERY)).toEqual([]);
  });
});
