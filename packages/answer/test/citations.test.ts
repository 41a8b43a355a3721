import { describe, expect, it } from "vitest";
import {
  type CitableSource,
  createCitationStream,
  jsonAnswerSchema,
  parseJsonAnswer,
  quoteOccurs,
} from "../src/index.js";

const sources: CitableSource[] = [
  { n: 1, id: "a", text: "The delay doubles after each attempt." },
  { n: 2, id: "b", text: "Calls fail fast while the breaker is open." },
];

const run = (text: string, pieces: number[] | "chars", quotes = false) => {
  const s = createCitationStream({ sources, quotes });
  const out: string[] = [];
  const chunks =
    pieces === "chars" ? [...text] : pieces.map((end, i) => text.slice(i ? pieces[i - 1] : 0, end));
  for (const c of chunks) for (const o of s.push(c)) if (o.type === "text") out.push(o.text);
  for (const o of s.end()) if (o.type === "text") out.push(o.text);
  return { shown: out.join(""), s };
};

describe("createCitationStream", () => {
  it("keeps valid markers, removes unknown ones with their space, and reports every one", () => {
    const text = "Backoff doubles the delay [1]. Breakers fail fast [2][7]. Both help [1, 9].";
    const { shown, s } = run(text, [text.length]);
    expect(shown).toBe("Backoff doubles the delay [1]. Breakers fail fast [2]. Both help [1].");
    expect(s.text).toBe(shown);
    expect(s.raw).toBe(text);
    expect(s.citations.map((c) => [c.source, c.valid, c.problem ?? null])).toEqual([
      [1, true, null],
      [2, true, null],
      [7, false, "unknown-source"],
      [1, true, null],
      [9, false, "unknown-source"],
    ]);
    expect(s.citations[0]).toMatchObject({ documentId: "a", marker: "[1]", offset: text.indexOf("[1]") });
    expect(s.citations[2]!.documentId).toBeUndefined();
  });

  it("gives the same result however the output is split (markers held back until complete)", () => {
    const text =
      'It doubles [1]. Unknown [12]. "Calls fail fast" [Source 2]. A [bracket] stays [ and so does this.';
    const whole = run(text, [text.length]);
    const chars = run(text, "chars");
    expect(chars.shown).toBe(whole.shown);
    expect(chars.s.citations).toEqual(whole.s.citations);
    expect(whole.shown).toBe(
      'It doubles [1]. Unknown. "Calls fail fast" [Source 2]. A [bracket] stays [ and so does this.',
    );
  });

  it("with quotes: true, checks that the quoted span occurs in the cited source", () => {
    const text =
      'It says "the delay doubles after each attempt" [1]. It also says "the delay triples" [1]. ' +
      'And "calls fail fast" [1]. No quote here [2]. “Calls fail FAST while…open” [2].';
    const { shown, s } = run(text, "chars", true);
    expect(s.citations.map((c) => [c.source, c.valid, c.problem ?? null])).toEqual([
      [1, true, null],
      [1, false, "quote-not-found"],
      [1, false, "quote-not-found"],
      [2, false, "quote-missing"],
      [2, true, null],
    ]);
    expect(s.citations[0]!.quote).toBe("the delay doubles after each attempt");
    expect(shown).toBe(
      'It says "the delay doubles after each attempt" [1]. It also says "the delay triples". ' +
        'And "calls fail fast". No quote here. “Calls fail FAST while…open” [2].',
    );
  });
});

describe("quoteOccurs", () => {
  it("matches whole words after normalisation, pieces around an ellipsis in order", () => {
    expect(quoteOccurs("Delay DOUBLES, after", "The delay doubles after each attempt.")).toBe(true);
    expect(quoteOccurs("lay doub", "The delay doubles")).toBe(false);
    expect(quoteOccurs("attempt ... delay", "The delay doubles after each attempt.")).toBe(false);
    expect(quoteOccurs("...", "anything")).toBe(false);
  });
});

describe("parseJsonAnswer (citationFormat json)", () => {
  it("verifies each citation: source number, and with quotes its quote in the source", () => {
    const raw = JSON.stringify({
      answer: "It doubles.",
      citations: [
        { source: 1, quote: "delay doubles" },
        { source: 2, quote: "not in the text" },
        { source: 3, quote: "x" },
        { source: 2, quote: " " },
      ],
    });
    const { text, citations } = parseJsonAnswer(raw, sources, true);
    expect(text).toBe("It doubles.");
    expect(citations.map((c) => [c.source, c.valid, c.problem])).toEqual([
      [1, true, undefined],
      [2, false, "quote-not-found"],
      [3, false, "unknown-source"],
      [2, false, "quote-missing"],
    ]);
    expect(citations[0]).toMatchObject({ documentId: "a", marker: "[1]", quote: "delay doubles" });
    expect(raw.slice(citations[1]!.offset)).toMatch(/^"source":2/);
    // without quotes a citation only needs a source
    expect(parseJsonAnswer(raw, sources, false).citations.map((c) => c.valid)).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it("reads a truncated answer as far as it is complete", () => {
    const raw =
      '{"answer": "It \\"doubles\\" fast", "citations": [{"source": 2, "quote": "fail fast"}, {"source": 1, "qu';
    const { text, citations } = parseJsonAnswer(raw, sources, true);
    expect(text).toBe('It "doubles" fast');
    expect(citations).toEqual([expect.objectContaining({ source: 2, valid: true, quote: "fail fast" })]);
    expect(parseJsonAnswer('{"answer": "cut off mid', sources, false)).toEqual({
      text: "cut off mid",
      citations: [],
    });
  });

  it("jsonAnswerSchema restricts source to the source numbers", () => {
    const schema = jsonAnswerSchema([1, 2]) as {
      properties: { citations: { items: { properties: { source: { enum: number[] } } } } };
      required: string[];
    };
    expect(schema.properties.citations.items.properties.source.enum).toEqual([1, 2]);
    expect(schema.required).toEqual(["answer", "citations"]);
  });
});
