import type { Filter } from "@ragloom/core";
import { distance } from "fastest-levenshtein";
import { type CompiledSchema, normText } from "./compiled-schema.js";
import { type AttributeInfo, enumValues } from "./schema.js";

const WORD = /[\p{L}\p{N}]+/gu;
const NUMBER = /\d[\d,]*(?:\.\d+)?\s*(k\b)?/gi;
// words that make a date without a written year legitimate ("last year", "3 months ago")
const RELATIVE =
  /\b(ago|last|past|this|next|recent|recently|since|today|yesterday|tomorrow|week|weeks|month|months|year|years|decade|days?)\b/;

interface RequestText {
  text: string;
  words: string[];
  numbers: number[];
}

function readRequest(request: string): RequestText {
  const text = normText(request);
  const numbers: number[] = [];
  for (const m of request.matchAll(NUMBER)) {
    const n = Number(m[0].replace(/[,\sk]/gi, ""));
    if (Number.isFinite(n)) numbers.push(m[1] ? n * 1000 : n);
  }
  return { text, words: text.match(WORD) ?? [], numbers };
}

/** A request word is this word, starts with it (plurals), or is one or two edits away (typos). */
function wordMatches(word: string, target: string): boolean {
  if (word === target || (word.startsWith(target) && word.length - target.length <= 3)) return true;
  if (target.length < 4) return false;
  return distance(word, target) <= (target.length >= 7 ? 2 : 1);
}

/** Whether every word of `phrase` occurs (as {@link wordMatches}) in the request. */
function phraseIn(phrase: string, req: RequestText): boolean {
  const words = normText(phrase).match(WORD) ?? [];
  return words.length > 0 && words.every((w) => req.words.some((r) => wordMatches(r, w)));
}

function stringGrounded(attr: AttributeInfo, value: string, req: RequestText): boolean {
  const values = enumValues(attr);
  if (values.length === 0) return req.text.includes(normText(value));
  const v = values.find((e) => String(e.value) === value);
  return [value, ...(v?.synonyms ?? [])].some((s) => phraseIn(s, req));
}

function numberGrounded(attr: AttributeInfo, value: number, req: RequestText): boolean {
  const factors = [1, ...Object.values(attr.units ?? {})];
  return req.numbers.some((n) => factors.some((f) => Math.abs(n * f - value) < 1e-9 * Math.max(1, value)));
}

function dateGrounded(value: number, req: RequestText): boolean {
  const year = new Date(value).getUTCFullYear();
  return req.numbers.includes(year) || req.numbers.includes(year - 1) || RELATIVE.test(req.text);
}

function leafProblems(
  node: { field: string; value: unknown },
  schema: CompiledSchema,
  req: RequestText,
): string[] {
  const attr = schema.byName.get(node.field);
  if (!attr) return [];
  const values = Array.isArray(node.value) ? node.value : [node.value];
  const out: string[] = [];
  for (const v of values) {
    const ok =
      typeof v === "string"
        ? stringGrounded(attr, v, req)
        : typeof v === "number"
          ? attr.type === "date"
            ? dateGrounded(v, req)
            : numberGrounded(attr, v, req)
          : true;
    if (!ok)
      out.push(
        `${attr.name} = ${JSON.stringify(attr.type === "date" ? new Date(v as number).toISOString().slice(0, 10) : v)}`,
      );
  }
  return out;
}

function walk(f: Filter, schema: CompiledSchema, req: RequestText, out: string[]): void {
  const node = f as unknown as {
    op: string;
    field?: string;
    value?: unknown;
    filters?: Filter[];
    filter?: Filter;
  };
  if (node.filters) for (const c of node.filters) walk(c, schema, req, out);
  else if (node.filter) walk(node.filter, schema, req, out);
  else if (typeof node.field === "string")
    out.push(...leafProblems(node as { field: string; value: unknown }, schema, req));
}

/**
 * What an LLM answer says that the request does not: each filter value with no trace in the
 * request text, and query words that are not request words. A small model often copies values
 * or words from the prompt's examples; such an answer is valid against the schema but not a
 * reading of the request.
 *
 * Traces: an enumerated value or one of its synonyms whose every word is a request word (or the
 * start of one, e.g. a plural, or one edit away for words of 4-6 letters, two for longer ones); a
 * free-text value as a substring; a number written in digits (`1,200`, `50k`), also times a unit
 * factor of the attribute; a date whose year, or the year before it ("after 2021" is on or after
 * 2022-01-01), is written, or any date when the request has a relative time word (`last`, `ago`,
 * `month`, ...). Booleans are not checked (their words are the attribute's). Text is compared
 * after lower-casing (as the rule-based parser reads it).
 * @returns one message per problem (empty when the answer is grounded).
 */
export function ungroundedParts(
  answer: { query: string; filter: Filter | null },
  request: string,
  schema: CompiledSchema,
): string[] {
  const req = readRequest(request);
  const out: string[] = [];
  const extra = (normText(answer.query).match(WORD) ?? []).filter(
    (w) => !req.words.some((r) => wordMatches(r, w)),
  );
  if (extra.length > 0) out.push(`query words not in the request: ${extra.slice(0, 5).join(", ")}`);
  const values: string[] = [];
  if (answer.filter) walk(answer.filter, schema, req, values);
  if (values.length > 0) out.push(`values not in the request: ${values.slice(0, 5).join("; ")}`);
  return out;
}
