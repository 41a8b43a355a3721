/** The one attribute of a schema that holds a kind of value (countries, languages), found once per schema. */
import type { AttributeInfo } from "../schema.js";
import type { ParseContext } from "./context.js";
import { nameWords } from "./tokenize.js";

/** Whether a string attribute's name words or description match `words` ("country", "languages"). */
export function namedOrDescribed(attr: AttributeInfo, words: RegExp): boolean {
  return (
    (attr.type === "string" || attr.type === "string[]") &&
    (words.test(nameWords(attr.name).join(" ")) || words.test(attr.description.toLowerCase()))
  );
}

/**
 * The only attribute of `ctx`'s schema that `holds` accepts, or undefined when none or several
 * do; the answer is kept in `cache` (one per kind) for the schema.
 */
export function soleAttribute(
  ctx: ParseContext,
  cache: WeakMap<object, AttributeInfo | null>,
  holds: (attr: AttributeInfo) => boolean,
): AttributeInfo | undefined {
  let attr = cache.get(ctx.schema);
  if (attr === undefined) {
    const found = ctx.schema.attributes.filter(holds);
    attr = found.length === 1 ? found[0]! : null;
    cache.set(ctx.schema, attr);
  }
  return attr ?? undefined;
}
