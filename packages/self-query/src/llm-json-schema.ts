import type { CompiledSchema } from "./compiled-schema.js";
import { type AttributeInfo, enumValues } from "./schema.js";
import { ALLOWED_OPERATORS } from "./validate.js";

/** Bounds of the JSON Schema built by {@link answerJsonSchema}. */
export interface AnswerSchemaOptions {
  /** Most children of an `and`/`or` node. @default 4 */
  maxConditions?: number;
  /** Most values of an `in`/`nin` list. @default 6 */
  maxListItems?: number;
  /** Longest free-text value (an attribute without enumerated values), in characters. @default 60 */
  maxValueLength?: number;
  /** Longest `query`, in characters. @default 120 */
  maxQueryLength?: number;
}

/** A calendar date as the answer writes it: `YYYY-MM-DD`. */
export const ISO_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

type Json = Record<string, unknown>;

/** The JSON Schema of one value of `attr` (an element of the list for `in`/`nin`). */
function valueSchema(attr: AttributeInfo, maxValueLength: number): Json {
  switch (attr.type) {
    case "number":
      return { type: attr.integer ? "integer" : "number" };
    case "date":
      // `format` for grammar converters without `pattern` (node-llama-cpp), `pattern` for the others
      return { type: "string", format: "date", pattern: ISO_DATE_PATTERN };
    case "boolean":
      return { type: "boolean" };
    default: {
      const values = enumValues(attr).map((v) => String(v.value));
      return values.length > 0
        ? { type: "string", enum: values }
        : { type: "string", minLength: 1, maxLength: maxValueLength };
    }
  }
}

function node(properties: Json): Json {
  return { type: "object", properties, required: Object.keys(properties), additionalProperties: false };
}

/** The comparisons `attr` allows: one object per operator group (scalar value, list value). */
function leaves(attr: AttributeInfo, o: Required<AnswerSchemaOptions>): Json[] {
  const ops = ALLOWED_OPERATORS[attr.type];
  const value = valueSchema(attr, o.maxValueLength);
  const scalarOps = ops.filter((op) => op !== "in" && op !== "nin");
  const listOps = ops.filter((op) => op === "in" || op === "nin");
  const out: Json[] = [];
  if (scalarOps.length > 0) out.push(node({ field: { const: attr.name }, op: { enum: scalarOps }, value }));
  if (listOps.length > 0) {
    out.push(
      node({
        field: { const: attr.name },
        op: { enum: listOps },
        value: { type: "array", items: value, minItems: 1, maxItems: o.maxListItems },
      }),
    );
  }
  return out;
}

/**
 * JSON Schema of the answer the LLM parser asks for, for one attribute schema: an object
 * `{ "query": string, "filter": null | <filter> }` whose filter is core's filter IR restricted to
 * what the schema accepts, so a grammar-constrained decoder cannot write an invalid structure:
 *
 * - a comparison `{ "field", "op", "value" }` names an attribute (`const`), one of the operators
 *   its type allows ({@link ALLOWED_OPERATORS}), and a value of its type: a number, a
 *   `YYYY-MM-DD` date string, a boolean, one of the enumerated values, or a free string of at most
 *   `maxValueLength` characters; `in`/`nin` take a list of 1 to `maxListItems` such values;
 * - a filter is a comparison, `{ "op": "not", "filter": <comparison> }`, or
 *   `{ "op": "and" | "or", "filters": [...] }` with 2 to `maxConditions` children that are
 *   comparisons, negated comparisons or one more `and`/`or` level of those (nesting depth 3).
 *
 * Uses only keywords that llama.cpp's and node-llama-cpp's JSON-Schema-to-grammar converters and
 * OpenAI structured outputs accept (`type`, `properties`, `required`, `additionalProperties`,
 * `enum`, `const`, `oneOf`, `items`, `minItems`/`maxItems`, `minLength`/`maxLength`, `format`,
 * `pattern`, `$defs`/`$ref`). What a grammar cannot express (a real calendar date, a number within
 * `minimum`/`maximum`) is left to {@link validateSchemaFilter}.
 */
export function answerJsonSchema(schema: CompiledSchema, options: AnswerSchemaOptions = {}): Json {
  const o: Required<AnswerSchemaOptions> = {
    maxConditions: options.maxConditions ?? 4,
    maxListItems: options.maxListItems ?? 6,
    maxValueLength: options.maxValueLength ?? 60,
    maxQueryLength: options.maxQueryLength ?? 120,
  };
  for (const [k, v] of Object.entries(o)) {
    if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`${k} must be a positive integer`);
  }
  const group = (child: Json): Json =>
    node({
      op: { enum: ["and", "or"] },
      filters: { type: "array", items: child, minItems: 2, maxItems: o.maxConditions },
    });
  return {
    type: "object",
    properties: {
      query: { type: "string", maxLength: o.maxQueryLength },
      filter: {
        oneOf: [{ type: "null" }, { $ref: "#/$defs/condition" }, group({ $ref: "#/$defs/item" })],
      },
    },
    required: ["query", "filter"],
    additionalProperties: false,
    $defs: {
      comparison: { oneOf: schema.attributes.flatMap((a) => leaves(a, o)) },
      condition: {
        oneOf: [
          { $ref: "#/$defs/comparison" },
          node({ op: { const: "not" }, filter: { $ref: "#/$defs/comparison" } }),
        ],
      },
      item: { oneOf: [{ $ref: "#/$defs/condition" }, group({ $ref: "#/$defs/condition" })] },
    },
  };
}
