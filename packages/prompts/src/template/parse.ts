import { ValidationError } from "@ragloom/core";
import { LRUCache } from "lru-cache";
import Mustache from "mustache";
import { TemplateLimitError, TemplateSyntaxError } from "../errors.js";
import { checkTemplateLimits, DEFAULT_TEMPLATE_LIMITS, type TemplateLimits } from "./limits.js";
import { OwnPropertyContext } from "./own-context.js";

/** Variables a mustache template references, as found by mustache's own parser. */
export interface TemplateVariables {
  /**
   * Names resolved against the values object itself: top-level `{{x}}`, `{{{x}}}`, `{{&x}}`, the
   * first segment of a dotted name (`{{user.name}}` → `user`), section names (`{{#x}}`, `{{^x}}`)
   * and tags inside inverted sections (which render in the same context). In first-seen order.
   */
  variables: string[];
  /**
   * Names used only inside a `{{#section}}`: mustache looks them up on the section's item first
   * (e.g. fields of list items), so they are not required at the top level.
   */
  nested: string[];
}

/** Settings of template parsing (see {@link configureTemplates}). */
export interface TemplateSettings extends TemplateLimits {
  /**
   * Budget of the cache of parsed templates, in bytes (estimated: 2 bytes per character of the
   * source, plus 96 per token and 2 per character of text not shared with the source). Least recently used
   * templates are evicted first; a template larger than the whole budget is not cached; 0 turns
   * caching off. @default 33554432 (32 MiB)
   */
  cacheMaxBytes: number;
}

/** Default {@link TemplateSettings}. */
export const DEFAULT_TEMPLATE_SETTINGS: Readonly<TemplateSettings> = Object.freeze({
  ...DEFAULT_TEMPLATE_LIMITS,
  cacheMaxBytes: 32 * 1024 * 1024,
});

interface Parsed {
  tokens: unknown[];
  variables: TemplateVariables;
  bytes: number;
}

let settings: TemplateSettings = { ...DEFAULT_TEMPLATE_SETTINGS };
const newCache = (maxSize: number) =>
  maxSize > 0
    ? new LRUCache<string, Parsed>({ maxSize, sizeCalculation: (v, k) => 2 * k.length + v.bytes })
    : undefined;
let cache = newCache(settings.cacheMaxBytes);
// Our own writer, so the global `Mustache` writer (and its unbounded template cache) is left
// alone; tokens are cached by the bounded cache above only.
const writer = new Mustache.Writer();
(writer as unknown as { templateCache: unknown }).templateCache = undefined;

/**
 * Changes the bounds and the cache budget of template parsing for the whole process and returns
 * the settings now in force. Changing `cacheMaxBytes` empties the cache.
 * @example configureTemplates({ maxLength: 200_000, cacheMaxBytes: 8 * 1024 * 1024 });
 * @throws ValidationError for a bound that is not a positive integer (`cacheMaxBytes` may be 0).
 */
export function configureTemplates(options: Partial<TemplateSettings> = {}): Readonly<TemplateSettings> {
  const next = { ...settings, ...options };
  for (const [key, v] of Object.entries(next)) {
    const min = key === "cacheMaxBytes" ? 0 : 1;
    if (!Number.isSafeInteger(v) || v < min)
      throw new ValidationError(`${key} must be an integer of at least ${min}, got ${String(v)}`);
  }
  if (next.cacheMaxBytes !== settings.cacheMaxBytes) cache = newCache(next.cacheMaxBytes);
  settings = next;
  return { ...settings };
}

/** Entries and estimated bytes in the cache of parsed templates. */
export function templateCacheStats(): { entries: number; bytes: number; maxBytes: number } {
  return { entries: cache?.size ?? 0, bytes: cache?.calculatedSize ?? 0, maxBytes: settings.cacheMaxBytes };
}

/**
 * Parses `template` with mustache (`Mustache.parse`, the reference parser, so what is found here is
 * exactly what `render` will look up) and lists the variables it references.
 * Partials (`{{> name}}`) are not supported: prompts must be self-contained to be versioned.
 * Results are kept in a bounded LRU cache (see {@link configureTemplates}).
 * @throws TemplateLimitError (a TemplateSyntaxError) for a source over `maxLength` characters,
 *   sections nested deeper than `maxSectionDepth`, or a whitespace run inside a tag over
 *   `maxTagWhitespace`; checked in linear time before mustache parses.
 * @throws TemplateSyntaxError when mustache cannot parse the template (unclosed tag or section,
 *   mismatched section), uses a partial, or uses `{{.}}` outside a section.
 */
export function parseTemplate(template: string): TemplateVariables {
  return parsed(template).variables;
}

function parsed(template: string): Parsed {
  if (typeof template !== "string") throw new TemplateSyntaxError("template must be a string");
  const hit = cache?.get(template);
  if (hit) return hit;
  checkTemplateLimits(template, settings);
  let tokens: unknown[];
  try {
    tokens = writer.parse(template) as unknown[];
  } catch (cause) {
    const message = (cause as Error)?.message ?? String(cause);
    const at = /at (\d+)\s*$/.exec(message);
    const name = /section "([^"]+)"/.exec(message);
    throw new TemplateSyntaxError(`malformed template: ${message}`, {
      position: at ? Number(at[1]) : undefined,
      variable: name?.[1],
      cause,
    });
  }
  const variables: string[] = [];
  const nested: string[] = [];
  const seen = new Set<string>();
  const seenNested = new Set<string>();
  let count = 0;
  let textChars = 0;
  const walk = (list: unknown[], depth: number, nesting: number) => {
    if (nesting > settings.maxSectionDepth)
      throw new TemplateLimitError("depth", nesting, settings.maxSectionDepth);
    for (const raw of list) {
      count++;
      const token = raw as [string, string, number, number, unknown[]?];
      const [type, value, start] = token;
      if (type === "text") {
        // mustache builds text tokens one character at a time (a rope of ~30 bytes per character
        // in V8): keep a slice of the source instead, which shares the cached key's memory, or a
        // flat copy when whitespace-only lines were dropped from the token
        const end = token[3];
        if (value.length === end - start) token[1] = template.slice(start, end);
        else {
          value.charCodeAt(0); // flattens the rope
          textChars += value.length;
        }
      }
      if (type === "text" || type === "!" || type === "=") continue;
      if (type === ">") {
        throw new TemplateSyntaxError(`partials are not supported ({{> ${value}}} at ${start})`, {
          position: start,
          variable: value,
        });
      }
      const head = value === "." ? "." : (value.split(".")[0] ?? value);
      if (depth === 0) {
        if (head === ".") {
          throw new TemplateSyntaxError(`{{.}} is only meaningful inside a section (at ${start})`, {
            position: start,
          });
        }
        if (!seen.has(head)) {
          seen.add(head);
          variables.push(head);
        }
      } else if (head !== "." && !seenNested.has(head)) {
        seenNested.add(head);
        nested.push(head);
      }
      if ((type === "#" || type === "^") && Array.isArray(token[4])) {
        // an inverted section renders in the enclosing context; a section pushes its item
        walk(token[4], type === "^" ? depth : depth + 1, nesting + 1);
      }
    }
  };
  walk(tokens, 0, 0);
  const result: Parsed = {
    tokens,
    variables: { variables, nested: nested.filter((n) => !seen.has(n)) },
    bytes: 2 * textChars + 96 * count,
  };
  cache?.set(template, result);
  return result;
}

/**
 * Renders a template with HTML escaping disabled (prompts are not HTML: `{{x}}` and `{{{x}}}`
 * both insert the value verbatim), from the cached tokens of {@link parseTemplate}. Names resolve
 * through own properties of `values` and of nested values only, never through prototypes
 * (`{{constructor}}` is empty, not `[object Object]`). The global `Mustache` settings are left
 * untouched.
 * @throws TemplateSyntaxError as {@link parseTemplate}.
 */
export function renderMustache(template: string, values: Record<string, unknown>): string {
  const { tokens } = parsed(template);
  return writer.renderTokens(tokens as string[][], new OwnPropertyContext(values), undefined, template, {
    escape: (v: unknown) => String(v),
  });
}
