/**
 * Version strings and major versions, by the shape of what a schema describes: a string
 * attribute whose quoted examples are versions (`'2.31.0'`, `'1.0.0-beta.3'`, `'18'`) takes
 * version-shaped words, and an integer attribute named for the major version takes `v2`, `0.x`
 * and `pre-1.0`. Semantic Versioning 2.0.0 (semver.org) gives the shape: dot-separated numbers
 * with an optional pre-release after `-`; `N.x` is every version of major `N`.
 */
import type { AttributeInfo } from "../schema.js";
import { cueStem, describedExamples } from "./attribute-index.js";
import { addMention, isFree, type ParseContext } from "./context.js";
import { nameWords } from "./tokenize.js";

/** A version: numbers joined by dots, an optional `v`, an optional semver pre-release. */
const VERSION = /^v?(\d+(?:\.\d+)*)(?:-[\p{L}\p{N}.]+)?$/u;
/** Every version of one major: `0.x`, `2.x.x`, `3.*`. */
const MAJOR_WILDCARD = /^v?(\d+)(?:\.[x*])+$/i;
/** Before a major version: `pre-1.0`, `pre-v2`. */
const PRE_MAJOR = /^pre-v?(\d+)(?:\.0)*$/i;

interface VersionAttrs {
  /** String attributes holding versions, with the numbers of parts of their examples. */
  strings: Array<{ attr: AttributeInfo; parts: Set<number> }>;
  /** The one integer attribute holding the major version, if any. */
  major?: AttributeInfo | undefined;
}

const cache = new WeakMap<object, VersionAttrs>();

function versionAttrs(ctx: ParseContext): VersionAttrs {
  const hit = cache.get(ctx.schema);
  if (hit) return hit;
  const strings: VersionAttrs["strings"] = [];
  for (const attr of ctx.schema.attributes) {
    if ((attr.type !== "string" && attr.type !== "string[]") || attr.values?.length) continue;
    const ex = describedExamples(attr);
    const cores = ex.map((e) => VERSION.exec(e)?.[1]);
    if (ex.length === 0 || cores.some((c) => c === undefined) || !cores.some((c) => c!.includes(".")))
      continue;
    strings.push({ attr, parts: new Set(cores.map((c) => c!.split(".").length)) });
  }
  const majors = ctx.schema.attributes.filter(
    (a) => a.type === "number" && !ctx.schema.isYear(a) && nameWords(a.name).includes("major"),
  );
  const out = { strings, major: majors.length === 1 ? majors[0] : undefined };
  cache.set(ctx.schema, out);
  return out;
}

/** How many of the (up to five) free words before token `i` are words of the attribute's name. */
function cueScore(ctx: ParseContext, attr: AttributeInfo, i: number): number {
  const own = new Set(nameWords(attr.name).map(cueStem));
  let score = 0;
  for (let k = i - 1; k >= 0 && k >= i - 5 && isFree(ctx, k); k--)
    if (own.has(cueStem(ctx.tokens[k]!.low))) score++;
  return score;
}

/**
 * The version attribute a version word at `i` is for: the one the words before it name most
 * ("minimum runtime version of 3.12"), else the only one whose examples have as many parts
 * ("2.32.3" beside examples like '2.31.0'). A version of one dot ("3.12", also a decimal) needs
 * words naming a version attribute more than any number attribute.
 */
function pickVersionAttr(ctx: ParseContext, i: number, core: string): AttributeInfo | undefined {
  const { strings } = versionAttrs(ctx);
  const parts = core.split(".").length;
  const scored = strings.map((s) => ({ ...s, score: cueScore(ctx, s.attr, i) }));
  const best = Math.max(0, ...scored.map((s) => s.score));
  const numbers = ctx.schema.attributes.filter((a) => a.type === "number");
  const numberBest = Math.max(0, ...numbers.map((a) => cueScore(ctx, a, i)));
  if (best > 0) {
    const top = scored.filter((s) => s.score === best);
    if (top.length === 1 && (parts > 2 || best > numberBest)) return top[0]!.attr;
  }
  if (parts <= 2) return undefined;
  const shaped = strings.filter((s) => s.parts.has(parts));
  return shaped.length === 1 ? shaped[0]!.attr : strings.length === 1 ? strings[0]!.attr : undefined;
}

/**
 * Finds versions before the number pass reads them as decimals: version strings
 * (`latest_version = "2.32.3"`), and major versions on the major-version attribute (`v2` is
 * `major = 2`, `0.x` is `major = 0`, `pre-1.0` is `major < 1`).
 */
export function extractVersions(ctx: ParseContext): void {
  const found = versionAttrs(ctx);
  if (found.strings.length === 0 && !found.major) return;
  ctx.tokens.forEach((t, i) => {
    if (!isFree(ctx, i)) return;
    const text = t.text;
    const major = found.major;
    const wildcard = MAJOR_WILDCARD.exec(text);
    const pre = PRE_MAJOR.exec(text);
    if (major && (wildcard || pre || /^v\d+$/i.test(text))) {
      const n = Number((wildcard ?? pre)?.[1] ?? text.slice(1));
      const span = { attr: major, start: i, end: i + 1, negated: false };
      if (pre) addMention(ctx, { ...span, kind: "range", filter: { op: "lt", field: major.name, value: n } });
      else addMention(ctx, { ...span, kind: "value", value: n });
      return;
    }
    const m = VERSION.exec(text);
    if (!m || !m[1]!.includes(".")) return;
    const attr = pickVersionAttr(ctx, i, m[1]!);
    if (!attr) return;
    const value = text.replace(/^v/i, "");
    addMention(ctx, { attr, start: i, end: i + 1, kind: "value", value, negated: false });
  });
}
