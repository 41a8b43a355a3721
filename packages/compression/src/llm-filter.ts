import type { ChatMessage, LanguageModel } from "@ragloom/core";
import { throwIfAborted } from "@ragloom/core";
import {
  guardedGenerate,
  type LLMCompressorOptions,
  mapConcurrent,
  parseJsonObject,
  resolveLlmOptions,
} from "./llm-call.js";
import type { CompressibleDocument, DocumentCompressor } from "./types.js";
import { assertQuery } from "./vectors.js";

/** JSON Schema sent with every LLM filter call (`{"relevant": boolean}`). */
export const LLM_FILTER_SCHEMA = {
  type: "object",
  properties: { relevant: { type: "boolean" } },
  required: ["relevant"],
} as const;

/**
 * Default prompt, after LangChain's `LLMChainFilter` prompt ("return YES if the context is relevant
 * to the question and NO if it isn't"), asking for `{"relevant": true|false}`.
 */
export function defaultFilterPrompt(query: string, document: CompressibleDocument): ChatMessage[] {
  return [
    {
      role: "system",
      content:
        'You judge whether a context is relevant to a question. Answer only with JSON: {"relevant": true} or {"relevant": false}.',
    },
    {
      role: "user",
      content: `Question: ${query}\n\nContext:\n"""\n${document.text}\n"""\n\nIs the context relevant?`,
    },
  ];
}

/** Options of {@link createLLMFilter}. */
export interface LLMFilterOptions extends LLMCompressorOptions {
  /** Any core `LanguageModel` (e.g. `createOpenAICompatibleModel`). */
  model: LanguageModel;
  /** Builds the messages for one document. @default defaultFilterPrompt */
  prompt?: (query: string, document: CompressibleDocument) => ChatMessage[];
  /** `max_tokens` of each answer. @default 16 */
  maxTokens?: number;
}

/**
 * Reads a relevance verdict: `{"relevant": bool}` (also `"yes"`/`"no"` strings inside it), else a
 * bare leading YES/NO (LangChain's `BooleanOutputParser` style). `undefined` when unparsable.
 */
export function parseRelevance(text: string): boolean | undefined {
  const obj = parseJsonObject(text);
  const v = obj?.relevant;
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(yes|true)$/i.test(v.trim())) return true;
  if (typeof v === "string" && /^(no|false)$/i.test(v.trim())) return false;
  const m = /^\W*(yes|no)\b/i.exec(text);
  return m ? m[1]!.toLowerCase() === "yes" : undefined;
}

/**
 * LLM filter: asks the model, for each document, whether it is relevant to the query (yes/no, as
 * schema-constrained JSON) and keeps the relevant ones, in input order, unchanged. Calls run with
 * bounded concurrency and a timeout each; an unparsable answer, an error or a timeout applies the
 * safe default (`onFailure`, keep) and emits a warning. Aborting `signal` rejects at once.
 *
 * Reference: LangChain `LLMChainFilter`.
 * @throws ValidationError for bad options or an empty query; the abort reason on abort.
 */
export function createLLMFilter(options: LLMFilterOptions): DocumentCompressor {
  const { model, prompt = defaultFilterPrompt } = options;
  const { concurrency, timeoutMs, maxTokens, onFailure, warningsFor } = resolveLlmOptions(options, 16);
  const name = `llm-filter(${model.modelId})`;
  return {
    name,
    async compress(documents, query, opts = {}) {
      assertQuery(query);
      const { signal } = opts;
      throwIfAborted(signal);
      const onWarning = warningsFor(opts.onWarning);
      const verdicts = await mapConcurrent(
        documents,
        concurrency,
        async (doc) => {
          const res = await guardedGenerate(model, prompt(query, doc), {
            signal,
            timeoutMs,
            maxTokens,
            temperature: 0,
            json: { schema: LLM_FILTER_SCHEMA },
          });
          if (!res.ok) {
            onWarning({
              compressor: name,
              code: res.reason === "timeout" ? "llm-timeout" : "llm-error",
              message: `document ${doc.id}: ${String((res.error as Error)?.message ?? res.error)}; ${onFailure === "keep" ? "keeping" : "dropping"} it`,
              documentId: doc.id,
              cause: res.error,
            });
            return onFailure === "keep";
          }
          const v = parseRelevance(res.text);
          if (v === undefined) {
            onWarning({
              compressor: name,
              code: "llm-unparsable",
              message: `document ${doc.id}: cannot parse ${JSON.stringify(res.text.slice(0, 80))}; ${onFailure === "keep" ? "keeping" : "dropping"} it`,
              documentId: doc.id,
            });
            return onFailure === "keep";
          }
          return v;
        },
        signal,
      );
      return documents.filter((_, i) => verdicts[i]);
    },
  };
}
