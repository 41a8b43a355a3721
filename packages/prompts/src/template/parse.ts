import Mustache from "mustache";
import { TemplateSyntaxError } from "../errors.js";

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

const cache = new Map<string, TemplateVariables>();

/**
 * Parses `template` with mustache (`Mustache.parse`, the reference parser, so what is found here is
 * exactly what `render` will look up) and lists the variables it references.
 * Partials (`{{> name}}`) are not supported: prompts must be self-contained to be versioned.
 * @throws TemplateSyntaxError when mustache cannot parse the template (unclosed tag or section,
 *   mismatched section), uses a partial, or uses `{{.}}` outside a section.
 */
export function parseTemplate(template: string): TemplateVariables {
  if (typeof template !== "string") throw new TemplateSyntaxError("template must be a string");
  const hit = cache.get(template);
  if (hit) return hit;
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(template) as unknown[];
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
  const walk = (list: unknown[], depth: number) => {
    for (const raw of list) {
      const token = raw as [string, string, number, number, unknown[]?];
      const [type, value, start] = token;
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
        walk(token[4], type === "^" ? depth : depth + 1);
      }
    }
  };
  walk(tokens, 0);
  const result = { variables, nested: nested.filter((n) => !seen.has(n)) };
  if (cache.size > 1000) cache.clear();
  cache.set(template, result);
  return result;
}

/**
 * Renders a parsed template with HTML escaping disabled (prompts are not HTML: `{{x}}` and
 * `{{{x}}}` both insert the value verbatim). Uses `Mustache.render` with a per-call `escape`,
 * so the global `Mustache.escape` is left untouched.
 */
export function renderMustache(template: string, values: Record<string, unknown>): string {
  return Mustache.render(template, values, {}, { escape: (v: unknown) => String(v) });
}
