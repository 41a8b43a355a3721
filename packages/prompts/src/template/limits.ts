/**
 * Bounds checked on a template source before mustache parses it, in one linear pass that reads
 * tags the way mustache 4 does (`{{`, `}}`, set-delimiter tags `{{=<% %>=}}`, triple mustaches).
 */
import { TemplateLimitError } from "../errors.js";

/** Bounds of template sources (see `configureTemplates`). */
export interface TemplateLimits {
  /** Longest template source, in characters (UTF-16 code units). @default 262144 (256 Ki) */
  maxLength: number;
  /**
   * Deepest nesting of `{{#section}}` / `{{^inverted}}` blocks. Parsing and rendering recurse
   * once per level, so this keeps the stack safe. @default 32
   */
  maxSectionDepth: number;
  /**
   * Longest run of whitespace inside one tag. Mustache finds the end of a tag with the regular
   * expression `\s*}}`, which takes time quadratic in such a run. @default 64
   */
  maxTagWhitespace: number;
}

/** Default {@link TemplateLimits}. */
export const DEFAULT_TEMPLATE_LIMITS: Readonly<TemplateLimits> = Object.freeze({
  maxLength: 262_144,
  maxSectionDepth: 32,
  maxTagWhitespace: 64,
});

const WS = /\s/;

function checkWhitespace(template: string, from: number, to: number, max: number): void {
  let run = 0;
  for (let i = from; i < to; i++) {
    if (WS.test(template[i]!)) {
      if (++run > max) throw new TemplateLimitError("whitespace", run, max, i - run + 1);
    } else run = 0;
  }
}

/**
 * Throws when `template` exceeds `limits`. Tags that do not close are left for mustache to report
 * (after the whitespace bound is checked on the rest of the source).
 * @throws TemplateLimitError (`length`, `depth` or `whitespace`).
 */
export function checkTemplateLimits(template: string, limits: TemplateLimits): void {
  if (template.length > limits.maxLength)
    throw new TemplateLimitError("length", template.length, limits.maxLength);
  let open = "{{";
  let close = "}}";
  let depth = 0;
  let pos = 0;
  for (;;) {
    const start = template.indexOf(open, pos);
    if (start < 0) return;
    let j = start + open.length;
    while (j < template.length && WS.test(template[j]!)) j++;
    const type = template[j];
    let end: number;
    if (type === "=") {
      const eq = template.indexOf("=", j + 1);
      end = eq < 0 ? -1 : template.indexOf(close, eq + 1);
      if (end >= 0) {
        const tags = template
          .slice(j + 1, eq)
          .trim()
          .split(/\s+/);
        if (tags.length === 2 && tags[0] && tags[1]) [open, close] = tags as [string, string];
      }
    } else if (type === "{") {
      end = template.indexOf(`}${close}`, j + 1);
      if (end >= 0) end += 1;
    } else {
      end = template.indexOf(close, j);
      if (end >= 0 && (type === "#" || type === "^") && ++depth > limits.maxSectionDepth)
        throw new TemplateLimitError("depth", depth, limits.maxSectionDepth, start);
      if (end >= 0 && type === "/") depth = Math.max(0, depth - 1);
    }
    checkWhitespace(template, j, end < 0 ? template.length : end, limits.maxTagWhitespace);
    if (end < 0) return;
    pos = end + close.length;
  }
}
