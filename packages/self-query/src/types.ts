import type { CallOptions, Filter } from "@ragloom/core";
import type { SelfQuerySchema } from "./schema.js";

/** What a parser recognised in a request. */
export interface SelfQueryResult {
  /** Text left for semantic search once the filter words are removed (may be empty). */
  query: string;
  /** Validated filter IR over the schema's attributes, or `null` when the request has no condition. */
  filter: Filter | null;
  /** Which parser produced this result (`rules` also after an LLM fallback). */
  parser: "rules" | "llm";
  /** Notes on guesses (typo corrections, dropped conditions, fallbacks). */
  warnings: string[];
  /** Set when the LLM parser fell back to the rule-based parser: why, and each attempt's error. */
  fallback?: { reason: "invalid_output" | "model_error"; errors: string[] };
}

/** Options of one parse call. */
export interface ParseOptions extends CallOptions {}

/** Turns a natural-language request into `{ query, filter }` over a schema. */
export interface SelfQueryParser {
  readonly kind: string;
  parse(
    request: string,
    schema: SelfQuerySchema,
    options?: ParseOptions,
  ): SelfQueryResult | Promise<SelfQueryResult>;
}
