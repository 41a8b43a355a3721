/**
 * `@ragloom/self-query`: natural-language requests → a semantic query plus a metadata filter
 * validated against an attribute schema; rule-based (offline) and LLM parsers; a retriever wrapper.
 * @module @ragloom/self-query
 */

export type { Clock } from "./clock.js";
export * from "./dates.js";
export * from "./errors.js";
export * from "./llm-grounding.js";
export * from "./llm-json-schema.js";
export * from "./llm-parser.js";
export * from "./llm-prompt.js";
export * from "./retriever.js";
export {
  createRuleBasedParser,
  DEFAULT_MAX_REQUEST_LENGTH,
  parse,
  type RuleParserOptions,
} from "./rules/rule-parser.js";
export * from "./schema.js";
export * from "./types.js";
export * from "./validate.js";
