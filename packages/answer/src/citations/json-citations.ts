import type { Citation, CitationProblem } from "../types.js";
import type { CitableSource } from "./citation-stream.js";
import { quoteOccurs } from "./quotes.js";

/** How the model is asked to cite: `[n]` markers in the text, or a JSON object (see {@link jsonAnswerSchema}). */
export type CitationFormat = "markers" | "json";

/**
 * The JSON Schema of an answer with `citationFormat: "json"`:
 * `{ "answer": string, "citations": [{ "source": n, "quote": string }] }`, where `source` is one
 * of the source numbers (an `enum`, so a grammar-constrained model cannot name another).
 * Servers that enforce a schema as a grammar (llama.cpp, llama-cpp-python, node-llama-cpp) keep
 * the output parseable; others may not.
 * @param sourceNumbers - the numbers `[1]`…`[n]` of the packed sources (at least one).
 */
export function jsonAnswerSchema(sourceNumbers: readonly number[]): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      answer: { type: "string" },
      citations: {
        type: "array",
        items: {
          type: "object",
          properties: {
            source: { type: "integer", enum: [...sourceNumbers] },
            quote: { type: "string" },
          },
          required: ["source", "quote"],
        },
      },
    },
    required: ["answer", "citations"],
  };
}

interface RawCitation {
  source: unknown;
  quote?: unknown;
  offset: number;
}

/** Reads a JSON answer; a truncated one (`maxTokens` reached) is read as far as it is complete. */
function readJson(raw: string): { answer: string; citations: RawCitation[] } {
  try {
    const value = JSON.parse(raw) as { answer?: unknown; citations?: unknown };
    const list = Array.isArray(value.citations) ? value.citations : [];
    let from = 0;
    return {
      answer: typeof value.answer === "string" ? value.answer : "",
      citations: list.map((c: { source?: unknown; quote?: unknown } | null) => {
        const at = raw.indexOf('"source"', from);
        if (at >= 0) from = at + 1;
        return { source: c?.source, quote: c?.quote, offset: Math.max(at, 0) };
      }),
    };
  } catch {
    // a string literal, complete or cut off at the end
    const answer = /"answer"\s*:\s*"((?:[^"\\]|\\.)*)("?)/.exec(raw);
    const citations: RawCitation[] = [];
    const item = /\{\s*"source"\s*:\s*(\d+)\s*,\s*"quote"\s*:\s*"((?:[^"\\]|\\.)*)"\s*\}/g;
    for (let m = item.exec(raw); m; m = item.exec(raw))
      citations.push({ source: Number(m[1]), quote: jsonString(m[2]!), offset: m.index });
    return { answer: answer ? jsonString(answer[1]!) : "", citations };
  }
}

function jsonString(s: string): string {
  try {
    return JSON.parse(`"${s.replace(/\\$/, "")}"`) as string;
  } catch {
    return s;
  }
}

/**
 * Parses and verifies an answer written as JSON (`citationFormat: "json"`). Each citation must
 * name a source (`unknown-source` otherwise); with `quotes: true` its quote must occur in that
 * source (after {@link quoteOccurs} normalisation; `quote-missing` when empty, `quote-not-found`
 * otherwise). `marker` is `[n]`, `offset` the position of the citation object in `raw`.
 * @returns the answer text (empty when there is none) and every citation, valid or not, in order.
 */
export function parseJsonAnswer(
  raw: string,
  sources: readonly CitableSource[],
  quotes: boolean,
): { text: string; citations: Citation[] } {
  const byNumber = new Map(sources.map((s) => [s.n, s]));
  const { answer, citations } = readJson(raw);
  return {
    text: answer.trim(),
    citations: citations.flatMap((c) => {
      const n = typeof c.source === "number" ? c.source : Number.NaN;
      if (!Number.isInteger(n)) return [];
      const quote = typeof c.quote === "string" && c.quote.trim() ? c.quote.trim() : undefined;
      const source = byNumber.get(n);
      let problem: CitationProblem | undefined;
      if (!source) problem = "unknown-source";
      else if (quotes && quote === undefined) problem = "quote-missing";
      else if (quotes && !quoteOccurs(quote!, source.text)) problem = "quote-not-found";
      return [
        {
          source: n,
          ...(source && { documentId: source.id }),
          valid: problem === undefined,
          ...(problem && { problem }),
          ...(quote !== undefined && { quote }),
          marker: `[${n}]`,
          offset: c.offset,
        },
      ];
    }),
  };
}
