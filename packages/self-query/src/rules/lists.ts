/**
 * Every value of a list after a cue: "in Berlin, Lisbon or Amsterdam", "assigned to Omar Haddad
 * or Lena Fischer", "needing react or vue", "phase 3 or 4". The first item was read by a cue; the
 * others have the same shape and follow it with "," / "or" (and "and" for names and codes).
 */
import type { FilterScalar } from "@ragloom/core";
import { numberRange } from "../schema.js";
import { cueAttributes } from "./attribute-index.js";
import { addMention, isFree, type Mention, type ParseContext } from "./context.js";
import { BRIDGE_WORDS, EDGE_FILLER, INDEFINITE_PRONOUNS, TAG_CUES } from "./lexicon.js";

const CODE = /^[A-Z][A-Z0-9]{1,4}$/;
const CAPITALISED = /^\p{Lu}[\p{L}'’.-]*$/u;
const LOWER_WORD = /^\p{Ll}[\p{Ll}\p{N}-]*$/u;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

type Shape = "code" | "name" | "word" | "number";

function shapeOf(ctx: ParseContext, m: Mention): Shape | undefined {
  if (m.kind === "range") {
    const f = m.filter as { op: string; value?: unknown };
    return f.op === "eq" && typeof f.value === "number" && m.attr.type === "number" ? "number" : undefined;
  }
  if (m.attr.values?.length || typeof m.value !== "string") return undefined;
  const words = m.value.split(" ");
  if (words.every((w) => CODE.test(w))) return "code";
  if (words.every((w) => CAPITALISED.test(w))) return "name";
  if (m.attr.type === "string[]" && words.length === 1 && LOWER_WORD.test(ctx.tokens[m.end - 1]!.text))
    return "word";
  return undefined;
}

/** A lower-case word that may be part of a name typed in lower case ("croatia", "pycon us"). */
function lowerNameWord(ctx: ParseContext, k: number): boolean {
  const t = ctx.tokens[k];
  return (
    !!t &&
    isFree(ctx, k) &&
    /^\p{Ll}[\p{Ll}\p{N}'’.!-]*$/u.test(t.text) &&
    !["or", "and", ","].includes(t.low) &&
    !EDGE_FILLER.has(t.low) &&
    !BRIDGE_WORDS.has(t.low) &&
    !INDEFINITE_PRONOUNS.has(t.low) &&
    !TAG_CUES.has(t.low) &&
    cueAttributes(ctx.index, t.low).length === 0
  );
}

/** End of an item of `shape` at `i` (`lower`: names typed in lower case), or -1. */
function itemEnd(ctx: ParseContext, shape: Shape, i: number, words: number, lower = false): number {
  const t = ctx.tokens[i];
  if (!t || !isFree(ctx, i)) return -1;
  if (shape === "name" && lower) {
    let k = i;
    while (k < i + Math.max(words, 1) + 1 && lowerNameWord(ctx, k)) k++;
    return k > i ? k : -1;
  }
  if (shape === "number") return PLAIN_NUMBER.test(t.text) ? i + 1 : -1;
  if (shape === "code") return CODE.test(t.text) ? i + 1 : -1;
  if (shape === "word") {
    const ok =
      LOWER_WORD.test(t.text) &&
      !EDGE_FILLER.has(t.low) &&
      !BRIDGE_WORDS.has(t.low) &&
      !TAG_CUES.has(t.low) &&
      cueAttributes(ctx.index, t.low).length === 0;
    return ok ? i + 1 : -1;
  }
  let k = i;
  while (k < i + Math.max(words, 1) + 1 && isFree(ctx, k) && CAPITALISED.test(ctx.tokens[k]!.text)) k++;
  return k > i ? k : -1;
}

/** Extends each cue-read free value or numeric equality with the list items that follow it. */
export function extendLists(ctx: ParseContext): void {
  const { tokens } = ctx;
  const firsts = [...ctx.mentions];
  for (const m of firsts) {
    const shape = shapeOf(ctx, m);
    if (!shape) continue;
    const words = typeof m.value === "string" ? m.value.split(" ").length : 1;
    // a known name typed in lower case ("croatia, montenegro or greece"): its list items may be too
    const lastText = tokens[m.end - 1]?.text ?? "";
    const lower = shape === "name" && lastText === lastText.toLowerCase() && /\p{L}/u.test(lastText);
    const items: Array<{ start: number; end: number }> = [];
    const excluded: Array<{ start: number; end: number }> = [];
    let j = m.end;
    let closed = false;
    for (;;) {
      let k = j;
      const joins: string[] = [];
      while (k < tokens.length && isFree(ctx, k) && [",", "or", "and"].includes(tokens[k]!.low)) {
        joins.push(tokens[k]!.low);
        k++;
      }
      // "python but not java", "python, not java": an excluded item of the same list
      const but = tokens[k]?.low === "but" && isFree(ctx, k) ? 1 : 0;
      if ((joins.length === 0 || joins[0] === ",") && joins.length <= 1 && tokens[k + but]?.low === "not") {
        const end = isFree(ctx, k + but) ? itemEnd(ctx, shape, k + but + 1, words) : -1;
        if (end > 0 && (but || joins.length)) {
          excluded.push({ start: k + but + 1, end });
          break;
        }
      }
      if (joins.length === 0 || joins.length > 2 || (joins.length === 2 && joins[0] !== ",")) break;
      const last = joins[joins.length - 1]!;
      // "and" joins words or numbers only after "both" ("both engineering and architecture"):
      // elsewhere it joins conditions ("python and a budget")
      const both = tokens[m.end - words - 1]?.low === "both";
      if (last === "and" && (shape === "word" || shape === "number") && !items.length && !both) break;
      // "Blue Note, Prestige and Impulse!": an item already read for the same attribute closes the list
      const owner = ctx.owner[k] ?? -1;
      if (owner >= 0 && ctx.mentions[owner]?.attr === m.attr && last !== ",") {
        closed = true;
        break;
      }
      const end = itemEnd(ctx, shape, k, words, lower);
      if (end < 0) break;
      items.push({ start: k, end });
      j = end;
      if (last !== ",") {
        closed = true;
        break;
      }
    }
    for (const it of excluded) {
      const text = tokens
        .slice(it.start, it.end)
        .map((t) => t.text)
        .join(" ");
      const value = shape === "word" ? text.toLowerCase() : text;
      // the "not" stays free for the negation pass, which marks this mention negated
      if (shape !== "number")
        addMention(ctx, { attr: m.attr, start: it.start, end: it.end, kind: "value", value, negated: false });
    }
    // a list of commas alone must end with "or"/"and" ("Berlin, Lisbon or Amsterdam")
    if (!closed || items.length === 0) continue;
    // a name typed in lower case ends the list, not a condition or a cue: "in france or already
    // vat paid" joins two conditions
    const after = items.at(-1)!.end;
    const next = tokens[after]?.low ?? "";
    if (
      lower &&
      ((ctx.owner[after] ?? -1) >= 0 || (isFree(ctx, after) && cueAttributes(ctx.index, next).length > 0))
    )
      continue;
    for (const it of items) {
      const text = tokens
        .slice(it.start, it.end)
        .map((t) => t.text)
        .join(" ");
      if (shape === "number") {
        const value = Number(text);
        const [min, max] = numberRange(m.attr);
        if (!(value >= min && value <= max)) break;
        addMention(ctx, {
          attr: m.attr,
          start: it.start,
          end: it.end,
          kind: "range",
          filter: { op: "eq", field: m.attr.name, value },
          negated: m.negated,
        });
        continue;
      }
      const value: FilterScalar = shape === "word" ? text.toLowerCase() : lower ? titleCase(text) : text;
      addMention(ctx, { attr: m.attr, start: it.start, end: it.end, kind: "value", value, negated: false });
    }
  }
}

/** "montenegro" → "Montenegro", "djangocon us" → "Djangocon Us" (proper-noun case of a typed name). */
function titleCase(text: string): string {
  return text.replace(/(^|\s)(\p{Ll})/gu, (_, sp: string, c: string) => sp + c.toUpperCase());
}
