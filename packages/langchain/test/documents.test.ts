import { Document as LangChainDocument } from "@langchain/core/documents";
import { type Document, type ScoredDocument, ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { fromLangChainDocument, toLangChainDocument } from "../src/index.js";
import { CORPUS } from "./fixtures.js";

describe("document conversion", () => {
  it("ragloom -> LangChain -> ragloom keeps id, text and metadata", () => {
    for (const doc of CORPUS) {
      const lc = toLangChainDocument(doc);
      expect(lc).toBeInstanceOf(LangChainDocument);
      expect(lc.id).toBe(doc.id);
      expect(lc.pageContent).toBe(doc.text);
      expect(lc.metadata).toEqual({ ...doc.metadata, id: doc.id });
      expect(fromLangChainDocument(lc)).toEqual(doc);
    }
  });

  it("a scored hit carries its score; omitKeys drops it on the way back", () => {
    const hit: ScoredDocument = { ...CORPUS[0]!, score: 0.734 };
    const lc = toLangChainDocument(hit);
    expect(lc.metadata.score).toBe(0.734);
    expect(fromLangChainDocument(lc, { omitKeys: ["score"] })).toEqual(CORPUS[0]);
    const renamed = toLangChainDocument(hit, { idKey: false, scoreKey: "relevance" });
    expect(renamed.metadata).toEqual({ ...hit.metadata, relevance: 0.734 });
    expect(renamed.id).toBe(hit.id);
  });

  it("copies arrays, so changing the LangChain document leaves the ragloom one alone", () => {
    const doc: Document = { id: "a", text: "t", metadata: { tags: ["x"] } };
    const lc = toLangChainDocument(doc);
    (lc.metadata.tags as string[]).push("y");
    expect(doc.metadata.tags).toEqual(["x"]);
  });

  it("LangChain -> ragloom -> LangChain keeps pageContent, id and flat metadata", () => {
    const lc = new LangChainDocument({
      pageContent: "Some page",
      id: "doc-1",
      metadata: { source: "a.md", page: 3, draft: false, authors: ["ann", "bob"] },
    });
    const doc = fromLangChainDocument(lc);
    expect(doc).toEqual({ id: "doc-1", text: "Some page", metadata: lc.metadata });
    const back = toLangChainDocument(doc, { idKey: false });
    expect(back.pageContent).toBe(lc.pageContent);
    expect(back.id).toBe(lc.id);
    expect(back.metadata).toEqual(lc.metadata);
  });

  it("flattens loader metadata to ragloom's flat metadata", () => {
    const when = new Date("2024-05-01T00:00:00Z");
    const lc = new LangChainDocument({
      pageContent: "chunk",
      metadata: {
        source: "guide.pdf",
        loc: { pageNumber: 2, lines: { from: 10, to: 24 } },
        created: when,
        empty: [],
        missing: null,
        mixed: [1, "a"],
        rows: [{ a: 1 }],
        nan: Number.NaN,
        big: 12n,
        fn: () => 1,
      },
    });
    expect(fromLangChainDocument(lc, { id: "g#2" })).toEqual({
      id: "g#2",
      text: "chunk",
      metadata: {
        source: "guide.pdf",
        "loc.pageNumber": 2,
        "loc.lines.from": 10,
        "loc.lines.to": 24,
        created: when.getTime(),
        mixed: '[1,"a"]',
        rows: '[{"a":1}]',
        nan: "NaN",
        big: "12",
      },
    });
  });

  it("takes the id from the document, then metadata.id, then options.id, then the content", () => {
    const page = "Identical text";
    expect(
      fromLangChainDocument(new LangChainDocument({ pageContent: page, id: "x", metadata: { id: "y" } })),
    ).toEqual({
      id: "x",
      text: page,
      metadata: { id: "y" },
    });
    expect(
      fromLangChainDocument(new LangChainDocument({ pageContent: page, metadata: { id: "y" } })).id,
    ).toBe("y");
    expect(fromLangChainDocument(new LangChainDocument({ pageContent: page }), { id: "z" }).id).toBe("z");
    const a = fromLangChainDocument(new LangChainDocument({ pageContent: page }));
    const b = fromLangChainDocument(new LangChainDocument({ pageContent: page, metadata: { other: 1 } }));
    const c = fromLangChainDocument(new LangChainDocument({ pageContent: `${page}!` }));
    expect(a.id).toMatch(/^lc-[0-9a-f]{32}$/);
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
  });

  it("refuses a non-string pageContent and an empty id", () => {
    expect(() => fromLangChainDocument({ pageContent: 3, metadata: {} } as never)).toThrow(ValidationError);
    expect(() => fromLangChainDocument(new LangChainDocument({ pageContent: "a", id: "" }))).toThrow(
      ValidationError,
    );
  });
});
