import type { ChatMessage } from "@ragloom/core";
import type { CompiledSchema } from "./compiled-schema.js";
import { type AttributeInfo, enumValues, isYearAttribute, numberRange } from "./schema.js";
import { ALLOWED_OPERATORS } from "./validate.js";

/** One worked example of the few-shot prompt: a request and the answer object it should get. */
export interface PromptExample {
  request: string;
  answer: { query: string; filter: unknown };
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The words of an attribute name (`total_minutes` → `total minutes`). */
function words(a: AttributeInfo): string {
  return a.name.replace(/[_.-]+/g, " ").trim();
}

function describeAttribute(a: AttributeInfo): string {
  const type = a.type === "date" ? "date YYYY-MM-DD" : a.type;
  const values = enumValues(a)
    .map((v) =>
      v.synonyms?.length ? `${String(v.value)} (also: ${v.synonyms.join(", ")})` : String(v.value),
    )
    .join(", ");
  const desc = a.description.trim().replace(/\.$/, "");
  return `- ${a.name} (${type}; ops: ${ALLOWED_OPERATORS[a.type].join(" ")})${desc ? `: ${desc}` : ""}${values ? `. Values: ${values}` : ""}`;
}

/** A number inside the attribute's range for an example comparison. */
function exampleNumber(a: AttributeInfo, now: Date): number {
  if (isYearAttribute(a)) return now.getUTCFullYear() - 10;
  const [lo, hi] = numberRange(a);
  if (lo > -Number.MAX_SAFE_INTEGER && hi < Number.MAX_SAFE_INTEGER) return Math.round((lo + hi) / 2);
  if (lo > -Number.MAX_SAFE_INTEGER) return Math.max(lo + 1, 50);
  return 50;
}

/**
 * Up to three worked examples built from the schema's own attributes (so the model sees real
 * attribute names and values), never from any labelled set: a request with no condition, a value
 * plus a number comparison, and a date after a named month (the date convention) with negated
 * values. An example is left out when the schema has no attribute it needs.
 */
export function promptExamples(schema: CompiledSchema, now: Date): PromptExample[] {
  const of = (t: AttributeInfo["type"], withValues?: boolean) =>
    schema.attributes.filter((a) => a.type === t && (withValues === undefined || !!a.values === withValues));
  const enumAttr = of("string", true).find((a) => enumValues(a).length >= 2);
  const values = enumAttr ? enumValues(enumAttr).map((v) => String(v.value)) : [];
  const num = of("number")[0];
  const date = of("date")[0];
  const bool = of("boolean")[0];
  const tagAttr = of("string[]", true)[0];
  // the example without a condition comes first: a small model leans on the last example
  const out: PromptExample[] = [
    { request: "how do I get started", answer: { query: "how do I get started", filter: null } },
  ];

  const first: Array<[string, unknown]> = [];
  if (enumAttr) first.push([values[0]!, { field: enumAttr.name, op: "eq", value: values[0] }]);
  if (num) {
    const n = exampleNumber(num, now);
    first.push([`with ${words(num)} over ${n}`, { field: num.name, op: "gt", value: n }]);
  } else if (bool) first.push([words(bool), { field: bool.name, op: "eq", value: true }]);
  else if (tagAttr) {
    const tag = String(enumValues(tagAttr)[0]!.value);
    first.push([`tagged ${tag}`, { field: tagAttr.name, op: "contains", value: tag }]);
  }
  if (first.length > 0) {
    const [head, ...rest] = first;
    out.push({
      request: [`${head![0]} overview`, ...rest.map((r) => r[0])].join(" "),
      answer: {
        query: "overview",
        filter: first.length === 1 ? head![1] : { op: "and", filters: first.map((r) => r[1]) },
      },
    });
  }

  if (date) {
    const y = now.getUTCFullYear() - 2;
    const second: Array<[string, unknown]> = [
      [`${words(date)} after March ${y}`, { field: date.name, op: "gte", value: `${y}-04-01` }],
    ];
    if (values.length >= 2) {
      second.push([
        `not ${values[1]} or ${values[values.length - 1]}`,
        { field: enumAttr!.name, op: "nin", value: [values[1], values[values.length - 1]] },
      ]);
    } else if (bool) {
      second.push([`not ${words(bool)}`, { field: bool.name, op: "eq", value: false }]);
    }
    out.push({
      request: `notes on setup ${second.map((r) => r[0]).join(", ")}`,
      answer: {
        query: "notes on setup",
        filter: second.length === 1 ? second[0]![1] : { op: "and", filters: second.map((r) => r[1]) },
      },
    });
  }

  return out;
}

/**
 * The system prompt: the task, the attributes (name, type, allowed operators, description,
 * enumerated values with synonyms), today's date and the date conventions the rule-based parser
 * also follows ("after March 2023" is on or after 2023-04-01, "before March 2023" is before
 * 2023-03-01, "in 2022" is the whole year).
 */
export function systemPrompt(schema: CompiledSchema, now: Date): string {
  return [
    "Turn a search request into JSON: the words to search for, and a filter on these attributes.",
    ...(schema.schema.documentContents ? [`Each record is one of: ${schema.schema.documentContents}.`] : []),
    "Attributes:",
    ...schema.attributes.map(describeAttribute),
    `Today is ${day(now)}. Dates are YYYY-MM-DD.`,
    '"after March 2023" means gte 2023-04-01; "before March 2023" means lt 2023-03-01; "in 2022" means gte 2022-01-01 and lt 2023-01-01.',
    '"not X" is ne; "X or Y" is in; conditions that must all hold go in {"op": "and", "filters": [...]}.',
    'Answer {"query": "<words to search for, without the conditions>", "filter": {"field": "<attribute>", "op": "<op>", "value": <value>}}.',
    "Use only the attributes listed. If the request names no condition, the filter is null.",
  ].join("\n");
}

/**
 * The chat sent for one request: the {@link systemPrompt}, then each {@link promptExamples}
 * example as a user turn (`Request: ...`) answered by its compact JSON as an assistant turn, then
 * the request as the last user turn.
 */
export function promptMessages(schema: CompiledSchema, now: Date, request: string): ChatMessage[] {
  return [
    { role: "system", content: systemPrompt(schema, now) },
    ...promptExamples(schema, now).flatMap((e): ChatMessage[] => [
      { role: "user", content: `Request: ${e.request}` },
      { role: "assistant", content: JSON.stringify(e.answer) },
    ]),
    { role: "user", content: `Request: ${request}` },
  ];
}
