import {
  AbortError,
  type ChatMessage,
  type Filter,
  type LanguageModel,
  RagloomError,
  throwIfAborted,
  ValidationError,
} from "@ragloom/core";
import { type Clock, toClock } from "./clock.js";
import { type CompiledSchema, compileSchema } from "./compiled-schema.js";
import { RequestTooLongError } from "./errors.js";
import { ungroundedParts } from "./llm-grounding.js";
import { type AnswerSchemaOptions, answerJsonSchema } from "./llm-json-schema.js";
import { promptMessages } from "./llm-prompt.js";
import { normalizeRequest } from "./rules/normalize.js";
import {
  DEFAULT_MAX_REQUEST_LENGTH,
  parse as parseWithRules,
  type RuleParserOptions,
} from "./rules/rule-parser.js";
import type { SelfQuerySchema } from "./schema.js";
import type { ParseOptions, SelfQueryParser, SelfQueryResult } from "./types.js";
import { validateSchemaFilter } from "./validate.js";

/** Options of {@link createLlmParser}. */
export interface LlmParserOptions {
  /** The model (e.g. `createOpenAICompatibleModel(...)` from `@ragloom/core`). */
  model: LanguageModel;
  /**
   * "Now" for "today" in the prompt and for relative dates: a fixed `Date` or a function returning
   * one (called once per parse); anything else is a ValidationError. @default the system clock
   */
  now?: Clock;
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
  /** Bounds of the answer's JSON Schema (list lengths, string lengths). @default see {@link AnswerSchemaOptions} */
  answerSchema?: AnswerSchemaOptions;
  /**
   * Reject a valid answer that is not a reading of the request ({@link ungroundedParts}: filter
   * values or query words with no trace in the request, typically copied from the prompt's
   * examples) and fall back to the rule-based parser, without a repair attempt. @default true
   */
  grounding?: boolean;
}

/** The JSON the model was asked for before the filter-IR answer (still read). */
export interface LlmAnswer {
  query: string;
  conditions: Array<{ attribute: string; operator: string; value: unknown }>;
  combine?: "and" | "or";
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
 * Reads a model answer into `{ query, filter }`: `{ query, filter }` with `filter` in filter IR
 * or `null` (what {@link answerJsonSchema} describes), or the older {@link LlmAnswer} shape. The
 * first `{` to the last `}` is parsed (text around it, e.g. a code fence, is ignored); the filter
 * is validated against the schema with {@link validateSchemaFilter}.
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
 * An LLM-backed {@link SelfQueryParser}: sends a few-shot chat built from the schema
 * ({@link promptMessages}) with the JSON Schema of a valid answer for constrained decoding
 * ({@link answerJsonSchema}: only the schema's attributes, the operators each type allows, values
 * of the attribute's type, bounded nesting), validates the answer with
 * {@link validateSchemaFilter} (the grammar cannot check everything, and a model or server may not
 * enforce the schema at all), on an invalid
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
  const clock = toClock(options.now);
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
      // normalised like the rule-based parser reads it: invisible characters (which can carry
      // text the user never saw, e.g. Unicode tag characters) do not reach the model
      const sent = normalizeRequest(request);
      const messages: ChatMessage[] = promptMessages(compiled, now, sent);
      const jsonSchema = answerJsonSchema(compiled, options.answerSchema);
      const errors: string[] = [];
      const warnings: string[] = [];
      let reason: "invalid_output" | "model_error" = "invalid_output";
      for (let attempt = 0; attempt <= maxRepairs; attempt++) {
        throwIfAborted(signal);
        let text: string;
        let cutOff = false;
        try {
          const res = await model.generate(messages, {
            signal,
            maxTokens: options.maxTokens ?? 256,
            temperature: options.temperature ?? 0,
            timeoutMs: options.timeoutMs ?? 30_000,
            json: { schema: jsonSchema },
          });
          text = res.text;
          cutOff = res.finishReason === "length";
        } catch (e) {
          if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortError();
          if (e instanceof AbortError) throw e;
          reason = "model_error";
          errors.push(e instanceof Error ? e.message : String(e));
          break;
        }
        let answer: { query: string; filter: Filter | null };
        try {
          answer = readAnswer(text, compiled, now);
        } catch (e) {
          if (!(e instanceof RagloomError)) throw e;
          const message = cutOff ? `${e.message} (the answer was cut off at maxTokens)` : e.message;
          errors.push(message);
          warn(warnings, `LLM answer ${attempt + 1} rejected: ${message}`);
          messages.push(
            { role: "assistant", content: text.slice(0, 4000) },
            {
              role: "user",
              content: `That answer is invalid: ${e.message}. Reply again with only the JSON object, using only the listed attributes, operators and values.`,
            },
          );
          continue;
        }
        const problems = options.grounding === false ? [] : ungroundedParts(answer, sent, compiled);
        if (problems.length === 0) return { ...answer, parser: "llm", warnings };
        const message = `the answer is not grounded in the request (${problems.join("; ")})`;
        errors.push(message);
        warn(warnings, `LLM answer ${attempt + 1} rejected: ${message}`);
        break;
      }
      const result = parseWithRules(request, compiled, { now: clock, ...options.fallback });
      warn(warnings, `fell back to the rule-based parser (${reason}): ${errors[errors.length - 1] ?? ""}`);
      return { ...result, warnings: [...warnings, ...result.warnings], fallback: { reason, errors } };
    },
  };
}
