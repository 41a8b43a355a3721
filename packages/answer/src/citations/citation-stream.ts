import type { Citation, CitationProblem } from "../types.js";
import { quoteBefore, quoteOccurs } from "./quotes.js";

/** What the checker needs to know about a source: its number and the text a quote must occur in. */
export interface CitableSource {
  n: number;
  id: string;
  /** Text a quote is checked against (the retrieved document's text). */
  text: string;
}

/** Output of {@link CitationStream.push}: text to show, and verified citations. */
export type CitationStreamOutput = { type: "text"; text: string } | { type: "citation"; citation: Citation };

/** An incremental parser and verifier of `[n]` citation markers (see {@link createCitationStream}). */
export interface CitationStream {
  /** Feeds model output; returns what can be shown now. */
  push(delta: string): CitationStreamOutput[];
  /** Flushes held-back text at the end of the output. */
  end(): CitationStreamOutput[];
  /** Every citation seen so far, in order. */
  readonly citations: Citation[];
  /** The model output fed so far. */
  readonly raw: string;
  /** The text shown so far (rejected markers removed). */
  readonly text: string;
}

// `[1]`, `[1, 3]`, `[1;2]`, `[Source 2]`, `[doc 3]`
const MARKER =
  /^\[\s*(?:(?:sources?|src|doc(?:ument)?)\s*)?\d{1,4}(?:\s*[,;]\s*(?:(?:sources?|src|doc(?:ument)?)\s*)?\d{1,4})*\s*\]/i;
// what may still become a marker when more text arrives
const PARTIAL = /^\[[ \tA-Za-z0-9,;]{0,39}$/;

/**
 * Parses citation markers out of model output as it streams and verifies each one against the
 * numbered sources. Grammar: `[n]`, `[n, m, …]` (also `;`, and a `source`/`doc` prefix), with
 * numbers starting at 1. A marker is held back until it is complete, so no reader ever sees a
 * marker that is later removed:
 * - a number with no source is rejected (`unknown-source`);
 * - with `quotes: true`, a citation needs a quoted span (`"…"` or `“…”`) right before its marker
 *   (punctuation and other markers may stand between) that occurs in the cited source after
 *   normalisation (see {@link quoteOccurs}); otherwise `quote-missing` / `quote-not-found`.
 * Rejected numbers are removed from the marker (`[1, 7]` becomes `[1]`); a marker left empty is
 * removed with the whitespace before it. Feeding the whole output at once gives the same result
 * as feeding it in any pieces.
 */
export function createCitationStream(options: {
  sources: CitableSource[];
  quotes?: boolean;
}): CitationStream {
  const byNumber = new Map(options.sources.map((s) => [s.n, s]));
  const quotes = options.quotes ?? false;
  const citations: Citation[] = [];
  let raw = "";
  let text = "";
  let pending = "";

  const check = (
    n: number,
    before: string,
  ): { valid: boolean; problem?: CitationProblem; quote?: string } => {
    const source = byNumber.get(n);
    const quote = quoteBefore(before);
    if (!source) return { valid: false, problem: "unknown-source", quote };
    if (!quotes) return { valid: true, quote };
    if (quote === undefined) return { valid: false, problem: "quote-missing" };
    return quoteOccurs(quote, source.text)
      ? { valid: true, quote }
      : { valid: false, problem: "quote-not-found", quote };
  };

  const process = (final: boolean): CitationStreamOutput[] => {
    const out: CitationStreamOutput[] = [];
    const emit = (t: string) => {
      if (!t) return;
      text += t;
      const last = out.at(-1);
      if (last?.type === "text") last.text += t;
      else out.push({ type: "text", text: t });
    };
    while (pending) {
      const open = pending.indexOf("[");
      if (open < 0) {
        const keep = final ? 0 : (/\s*$/.exec(pending)?.[0].length ?? 0);
        emit(pending.slice(0, pending.length - keep));
        pending = pending.slice(pending.length - keep);
        break;
      }
      const wsStart = open - (/\s*$/.exec(pending.slice(0, open))?.[0].length ?? 0);
      emit(pending.slice(0, wsStart));
      const ws = pending.slice(wsStart, open);
      const rest = pending.slice(open);
      const offset = raw.length - rest.length;
      const m = MARKER.exec(rest);
      if (m) {
        const marker = m[0];
        const numbers = [...marker.matchAll(/\d+/g)].map((d) => Number(d[0]));
        const kept: number[] = [];
        for (const n of numbers) {
          const verdict = check(n, text);
          const source = byNumber.get(n);
          const citation: Citation = {
            source: n,
            ...(source ? { documentId: source.id } : {}),
            valid: verdict.valid,
            ...(verdict.problem ? { problem: verdict.problem } : {}),
            ...(verdict.quote !== undefined ? { quote: verdict.quote } : {}),
            marker,
            offset,
          };
          citations.push(citation);
          out.push({ type: "citation", citation });
          if (verdict.valid) kept.push(n);
        }
        if (kept.length === numbers.length) emit(ws + marker);
        else if (kept.length > 0) emit(`${ws}[${kept.join(", ")}]`);
        pending = rest.slice(marker.length);
        continue;
      }
      if (!final && PARTIAL.test(rest)) {
        pending = ws + rest;
        break;
      }
      emit(`${ws}[`);
      pending = rest.slice(1);
    }
    return out;
  };

  return {
    push(delta: string) {
      raw += delta;
      pending += delta;
      return process(false);
    },
    end: () => process(true),
    citations,
    get raw() {
      return raw;
    },
    get text() {
      return text;
    },
  };
}
