import {
  AbortError,
  type ChatMessage,
  type Filter,
  type LanguageModel,
  RagloomError,
  throwIfAborted,
  ValidationError,
} from "@ragloom/core";
import { type CompiledSchema, compileSchema } from "./compiled-schema.js";
import { RequestTooLongError } from "./errors.js";
import { normalizeRequest } from "./rules/normalize.js";
import {
  DEFAULT_MAX_REQUEST_LENGTH,
  parse as parseWithRules,
  type RuleParserOptions,
} from "./rules/rule-parser.js";
import { enumValues, type SelfQuerySchema } from "./schema.js";
import type { ParseOptions, SelfQueryParser, SelfQueryResult } from "./types.js";
import { ALLOWED_OPERATORS, validateSchemaFilter } from "./validate.js";

/** Options of {@link createLlmParser}. */
export interface LlmParserOptions {
  /** The model (e.g. `createOpenAICompatibleModel(...)` from `@ragloom/core`). */
  model: LanguageModel;
  /** Clock for "today" in the prompt and for relative dates. @default () => new Date() */
  now?: () => Date;
  /** Upper bound on generated tokens per call. @default 256 */
  maxTokens?: number;
  /** Sampling temperature. @default 0 */
  temperature?: number;
  /** Timeout per model call in milliseconds. @default 30000 */
  timeoutMs?: number;
  /** Extra attempts after an invalid answer, each told the validation error. @default 1 */
  maxRepairs?: number;
  /** Options of the rule-based parser used as the fallback. @default the same `now` */
  fallback?: RuleParserOptions;
  /** Called with each warning (invalid answer, fallback), besides `warnings` in the result. */
  onWarning?: (message: string) => void;
  /**
   * Longest accepted request, in characters; a longer one is a {@link RequestTooLongError} before
   * the model is called (it is never cut). @default the fallback's `maxRequestLength`, else 2000
   */
  maxRequestLength?: number;
}

/** The JSON the model is asked for. */
export interface LlmAnswer {
  query: string;
  conditions: Array<{ attribute: string; operator: string; value: unknown }>;
  combine?: "and" | "or";
}

/** JSON Schema of {@link LlmAnswer} for one attribute schema (sent for constrained decoding). */
export function answerJsonSchema(schema: CompiledSchema): Record<string, unknown> {
  const scalar = [{ type: "string" }, { type: "number" }, { type: "boolean" }];
  return {
    type: "object",
    properties: {
      query: { type: "string" },
      conditions: {
        type: "array",
        maxItems: 8,
        items: {
          type: "object",
          properties: {
            attribute: { type: "string", enum: schema.attributes.map((a) => a.name) },
            operator: {
              type: "string",
              enum: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains"],
            },
            value: { anyOf: [...scalar, { type: "array", items: { anyOf: scalar }, maxItems: 10 }] },
          },
          required: ["attribute", "operator", "value"],
        },
      },
      combine: { type: "string", enum: ["and", "or"] },
    },
    required: ["query", "conditions"],
  };
}

/** The system prompt: attributes, their values and operators, date format, today's date. */
export function systemPrompt(schema: CompiledSchema, now: Date): string {
  const lines = schema.attributes.map((a) => {
    const values = enumValues(a)
      .map((v) =>
        v.synonyms?.length ? `${String(v.value)} (also: ${v.synonyms.join(", ")})` : String(v.value),
      )
      .join(", ");
    const type = a.type === "date" ? "date, write YYYY-MM-DD" : a.type;
    return `- ${a.name} (${type}; operators: ${ALLOWED_OPERATORS[a.type].join(", ")}): ${a.description}${values ? `. Values: ${values}` : ""}`;
  });
  return [
    "You turn a search request into a semantic search query and metadata conditions.",
    "Attributes:",
    ...lines,
    `Today is ${now.toISOString().slice(0, 10)}.`,
    'Answer with JSON only: {"query": "<words to search for, without the conditions>", "conditions": [{"attribute": "<name>", "operator": "<op>", "value": <value>}], "combine": "and"}.',
    "Use only the attributes and operators listed. Use no condition for things the attributes cannot express. If nothing is a condition, use an empty list.",
  ].join("\n");
}

function firstJsonObject(text: string): unknown {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) throw new ValidationError("the answer holds no JSON object");
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch (e) {
    throw new ValidationError(`the answer is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Reads a model answer into `{ query, filter }`: the {@link LlmAnswer} shape, or
 * `{ query, filter }` with `filter` in filter IR. The filter is validated against the schema.
 * @throws ValidationError (not JSON, wrong shape) or SchemaFilterError (filter does not fit the schema).
 */
export function readAnswer(
  text: string,
  schema: CompiledSchema,
  now: Date,
): { query: string; filter: Filter | null } {
  const raw = firstJsonObject(text);
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new ValidationError("the answer must be a JSON object");
  const obj = raw as Record<string, unknown>;
  if (typeof obj.query !== "string") throw new ValidationError('"query" must be a string');
  const query = obj.query.trim().slice(0, 2000);
  if ("filter" in obj && !("conditions" in obj)) {
    return { query, filter: obj.filter === null ? null : validateSchemaFilter(obj.filter, schema, { now }) };
  }
  const conditions = obj.conditions;
  if (!Array.isArray(conditions)) throw new ValidationError('"conditions" must be an array');
  if (conditions.length === 0) return { query, filter: null };
  if (conditions.length > 32) throw new ValidationError("too many conditions");
  const leaves = conditions.map((c, i) => {
    if (!c || typeof c !== "object" || Array.isArray(c))
      throw new ValidationError(`condition ${i} must be an object`);
    const { attribute, operator, value } = c as Record<string, unknown>;
    return { op: operator, field: attribute, value };
  });
  const combine = obj.combine === undefined ? "and" : obj.combine;
  if (combine !== "and" && combine !== "or") throw new ValidationError('"combine" must be "and" or "or"');
  const tree = leaves.length === 1 ? leaves[0] : { op: combine, filters: leaves };
  return { query, filter: validateSchemaFilter(tree, schema, { now }) };
}

/**
 * An LLM-backed {@link SelfQueryParser}: asks the model for JSON matching the schema (sending a JSON
 * Schema for constrained decoding), validates it with {@link validateSchemaFilter}, on an invalid
 * answer asks once more with the validation error, and then falls back to the rule-based
 * {@link parseWithRules parse}. A failing model call (HTTP error, timeout) also falls back. Every
 * fallback is reported in `fallback` and `warnings` (and `onWarning`), never silent.
 * The request is normalised as for the rule-based parser (NFKC, invisible characters removed,
 * look-alike letters folded) before it is sent.
 * @throws AbortError when `signal` aborts; RequestTooLongError over `maxRequestLength`;
 *   ValidationError for a bad request or option.
 */
export function createLlmParser(options: LlmParserOptions): SelfQueryParser & {
  parse(request: string, schema: SelfQuerySchema, opts?: ParseOptions): Promise<SelfQueryResult>;
} {
  const { model } = options;
  if (!model || typeof model.generate !== "function")
    throw new ValidationError("createLlmParser needs a LanguageModel");
  const clock = options.now ?? (() => new Date());
  const maxRepairs = options.maxRepairs ?? 1;
  const maxRequestLength =
    options.maxRequestLength ?? options.fallback?.maxRequestLength ?? DEFAULT_MAX_REQUEST_LENGTH;
  if (!(Number.isInteger(maxRequestLength) && maxRequestLength > 0))
    throw new ValidationError("maxRequestLength must be a positive integer");
  const warn = (list: string[], message: string) => {
    list.push(message);
    options.onWarning?.(message);
  };
  return {
    kind: `llm:${model.modelId}`,
    async parse(request, schema, opts = {}) {
      if (typeof request !== "string" || request.trim() === "")
        throw new ValidationError("request must be a non-empty string");
      if (request.length > maxRequestLength) throw new RequestTooLongError(request.length, maxRequestLength);
      const compiled = compileSchema(schema);
      const now = clock();
      const signal = opts.signal;
      const messages: ChatMessage[] = [
        { role: "system", content: systemPrompt(compiled, now) },
        // normalised like the rule-based parser reads it: invisible characters (which can carry
        // text the user never saw, e.g. Unicode tag characters) do not reach the model
        { role: "user", content: normalizeRequest(request) },
      ];
      const errors: string[] = [];
      const warnings: string[] = [];
      let reason: "invalid_output" | "model_error" = "invalid_output";
      for (let attempt = 0; attempt <= maxRepairs; attempt++) {
        throwIfAborted(signal);
        let text: string;
        try {
          const res = await model.generate(messages, {
            signal,
            maxTokens: options.maxTokens ?? 256,
            temperature: options.temperature ?? 0,
            timeoutMs: options.timeoutMs ?? 30_000,
            json: { schema: answerJsonSchema(compiled) },
          });
          text = res.text;
        } catch (e) {
          if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortError();
          if (e instanceof AbortError) throw e;
          reason = "model_error";
          errors.push(e instanceof Error ? e.message : String(e));
          break;
        }
        try {
          const { query, filter } = readAnswer(text, compiled, now);
          return { query, filter, parser: "llm", warnings };
        } catch (e) {
          if (!(e instanceof RagloomError)) throw e;
          errors.push(e.message);
          warn(warnings, `LLM answer ${attempt + 1} rejected: ${e.message}`);
          messages.push(
            { role: "assistant", content: text.slice(0, 4000) },
            {
              role: "user",
              content: `That answer is invalid: ${e.message}. Reply again with only the JSON object, using only the listed attributes, operators and values.`,
            },
          );
        }
      }
      const result = parseWithRules(request, compiled, { now: clock, ...options.fallback });
      warn(warnings, `fell back to the rule-based parser (${reason}): ${errors[errors.length - 1] ?? ""}`);
      return { ...result, warnings: [...warnings, ...result.warnings], fallback: { reason, errors } };
    },
  };
}
