import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
import { RecursiveTextSplitter } from "./recursive-splitter.js";

const text = [
  "# Title",
  "",
  "First paragraph has a few sentences. It talks about retries. And circuit breakers too.",
  "",
  "Second paragraph is here; it is longer than the first one, and it keeps going with more words so that it must be split.",
  "",
  "Third.",
].join("\n");

describe("RecursiveTextSplitter", () => {
  it("keeps chunks within size and exact offsets into the source", () => {
    for (const [size, overlap] of [
      [40, 0],
      [60, 15],
      [25, 5],
      [1000, 10],
    ] as const) {
      const s = new RecursiveTextSplitter({ chunkSize: size, chunkOverlap: overlap });
      const chunks = s.splitWithOffsets(text);
      expect(chunks.length).toBeGreaterThan(0);
      for (const c of chunks) {
        expect(c.text.length).toBeLessThanOrEqual(size);
        expect(text.slice(c.start, c.end)).toBe(c.text);
        expect(c.text.trim()).toBe(c.text);
      }
      // every non-whitespace character is covered by some chunk
      for (let i = 0; i < text.length; i++) {
        if (/\s/.test(text[i]!)) continue;
        expect(chunks.some((c) => c.start <= i && i < c.end)).toBe(true);
      }
    }
  });

  it("prefers paragraph boundaries, and overlaps consecutive chunks", () => {
    const s = new RecursiveTextSplitter({ chunkSize: 100, chunkOverlap: 30 });
    expect(s.splitWithOffsets(text)[0]!.text).toBe(
      "# Title\n\nFirst paragraph has a few sentences. It talks about retries. And circuit breakers too.",
    );
    const words =
      "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma";
    const chunks = new RecursiveTextSplitter({ chunkSize: 30, chunkOverlap: 12 }).splitWithOffsets(words);
    const overlaps = chunks.slice(1).filter((c, i) => c.start < chunks[i]!.end);
    expect(overlaps.length).toBeGreaterThan(0);
  });

  it("measures in tokens when given a length function", () => {
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const s = new RecursiveTextSplitter({ chunkSize: 8, chunkOverlap: 2, lengthFunction: words });
    for (const c of s.splitText(text)) expect(words(c)).toBeLessThanOrEqual(8);
  });

  it("splits documents with parent id, position and offsets in metadata", () => {
    const s = new RecursiveTextSplitter({ chunkSize: 50, chunkOverlap: 0 });
    const chunks = s.splitDocuments([{ id: "doc", text, metadata: { source: "x" } }]);
    chunks.forEach((c, i) => {
      expect(c.id).toBe(`doc#${i}`);
      expect(c.metadata).toMatchObject({ source: "x", parentId: "doc", chunkIndex: i });
      expect(text.slice(c.metadata.start as number, c.metadata.end as number)).toBe(c.text);
    });
  });

  it("never splits a surrogate pair and rejects bad options", () => {
    const emoji = "😀".repeat(30);
    for (const c of new RecursiveTextSplitter({ chunkSize: 7, chunkOverlap: 0 }).splitText(emoji)) {
      expect(c).toMatch(/^(😀)+$/u);
    }
    expect(() => new RecursiveTextSplitter({ chunkSize: 10, chunkOverlap: 10 })).toThrowError(
      ValidationError,
    );
    expect(() => new RecursiveTextSplitter({ chunkSize: 0 })).toThrowError(ValidationError);
  });
});
