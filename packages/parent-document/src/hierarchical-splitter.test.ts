import { ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { createHierarchicalSplitter } from "./hierarchical-splitter.js";

const text = [
  "Small chunks match queries precisely. Large chunks give the model context.",
  "Parent documents hold the context. Child chunks are embedded and searched.",
  "Auto-merging returns a parent when enough of its children match the query.",
  "Docstores keep the parents by id, in memory, on disk or in Redis.",
].join("\n\n");
const doc = { id: "d1", text, metadata: { lang: "en", year: 2024 } };

describe("createHierarchicalSplitter", () => {
  it("builds a tree: every child is a slice of its parent and carries its id and position", () => {
    const splitter = createHierarchicalSplitter({
      levels: [{ chunkSize: 160, chunkOverlap: 0 }, { chunkSize: 80 }, { chunkSize: 40, chunkOverlap: 10 }],
    });
    expect(splitter.depth).toBe(3);
    expect(splitter.unit).toBe("characters");
    const chunks = splitter.split(doc);
    const byId = new Map(chunks.map((c) => [c.id, c]));
    expect(chunks.filter((c) => c.metadata.level === 0).length).toBeGreaterThan(1);
    for (const c of chunks) {
      // exact offsets into the source
      expect(text.slice(c.metadata.start, c.metadata.end)).toBe(c.text);
      expect(c.metadata.sourceId).toBe("d1");
      expect(c.metadata).toMatchObject({ lang: "en", year: 2024 });
      expect(c.text.length).toBeLessThanOrEqual([160, 80, 40][c.metadata.level]!);
      if (c.metadata.level === 0) {
        expect(c.metadata.parentId).toBeUndefined();
        expect(c.id).toBe(`d1#${c.metadata.chunkIndex}`);
      } else {
        const parent = byId.get(c.metadata.parentId!)!;
        expect(parent.metadata.level).toBe(c.metadata.level - 1);
        // contained in its parent
        expect(c.metadata.start).toBeGreaterThanOrEqual(parent.metadata.start);
        expect(c.metadata.end).toBeLessThanOrEqual(parent.metadata.end);
        expect(c.id).toBe(`${parent.id}.${c.metadata.chunkIndex}`);
      }
      const children = chunks.filter((x) => x.metadata.parentId === c.id);
      if (c.metadata.level < 2) {
        expect(c.metadata.childCount).toBe(children.length);
        expect(children.map((x) => x.metadata.chunkIndex)).toEqual(children.map((_, i) => i));
      } else {
        expect(c.metadata.childCount).toBeUndefined();
        expect(children).toEqual([]);
      }
    }
    // pre-order: every parent comes before its children
    chunks.forEach((c, i) => {
      if (c.metadata.parentId) expect(chunks.findIndex((p) => p.id === c.metadata.parentId)).toBeLessThan(i);
    });
  });

  it("uses the whole document as the top parent with chunkSize Infinity", () => {
    const splitter = createHierarchicalSplitter({
      levels: [{ chunkSize: Number.POSITIVE_INFINITY }, { chunkSize: 100 }],
    });
    const chunks = splitter.split(doc);
    const top = chunks.filter((c) => c.metadata.level === 0);
    expect(top).toHaveLength(1);
    expect(top[0]!.text).toBe(text);
    expect(top[0]!.metadata.childCount).toBe(chunks.length - 1);
  });

  it("sizes in tokens with a tokenizer and in characters without one", () => {
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const tokens = createHierarchicalSplitter({
      levels: [{ chunkSize: 24 }, { chunkSize: 8, chunkOverlap: 2 }],
      tokenizer: { countTokens: words, modelId: "words" },
    });
    expect(tokens.unit).toBe("tokens");
    for (const c of tokens.split(doc))
      expect(words(c.text)).toBeLessThanOrEqual(c.metadata.level === 0 ? 24 : 8);
    const warnings: string[] = [];
    const chars = createHierarchicalSplitter({
      levels: [{ chunkSize: 24 }, { chunkSize: 8 }],
      tokenizer: { modelId: "no-counter" },
      onWarning: (m) => warnings.push(m),
    });
    expect(chars.unit).toBe("characters");
    expect(warnings[0]).toMatch(/characters/);
    expect(tokens.fingerprint).not.toBe(chars.fingerprint);
  });

  it("uses idPrefix for ids and yields nothing for blank text", () => {
    const splitter = createHierarchicalSplitter({ levels: [{ chunkSize: 200 }, { chunkSize: 50 }] });
    expect(splitter.split(doc, { idPrefix: "d1@v2" })[0]!.id).toBe("d1@v2#0");
    expect(splitter.split({ id: "e", text: "  \n ", metadata: {} })).toEqual([]);
    expect(
      splitter.splitDocuments([doc, { ...doc, id: "d2" }]).filter((c) => c.metadata.level === 0).length,
    ).toBe(2 * splitter.split(doc).filter((c) => c.metadata.level === 0).length);
  });

  it("warns once and overwrites reserved metadata keys of the source", () => {
    const warnings: string[] = [];
    const splitter = createHierarchicalSplitter({
      levels: [{ chunkSize: 200 }, { chunkSize: 50 }],
      onWarning: (m) => warnings.push(m),
    });
    const chunks = splitter.split({ id: "x", text: "hello world", metadata: { level: "expert" } });
    splitter.split({ id: "y", text: "hello again", metadata: { level: "novice" } });
    expect(chunks[0]!.metadata.level).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"level" is reserved/);
  });

  it("rejects bad levels", () => {
    expect(() => createHierarchicalSplitter({ levels: [{ chunkSize: 100 }] })).toThrow(ValidationError);
    expect(() => createHierarchicalSplitter({ levels: [{ chunkSize: 100 }, { chunkSize: 100 }] })).toThrow(
      /smaller/,
    );
    expect(() => createHierarchicalSplitter({ levels: [{ chunkSize: 100 }, { chunkSize: 0 }] })).toThrow(
      ValidationError,
    );
    expect(() =>
      createHierarchicalSplitter({ levels: [{ chunkSize: 100 }, { chunkSize: 10, chunkOverlap: 10 }] }),
    ).toThrow(ValidationError);
    const splitter = createHierarchicalSplitter({ levels: [{ chunkSize: 100 }, { chunkSize: 10 }] });
    expect(() => splitter.split({ id: "", text: "x", metadata: {} })).toThrow(ValidationError);
  });
});
