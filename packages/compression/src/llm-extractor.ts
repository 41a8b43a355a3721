import type { ChatMessage, LanguageModel } from "@ragloom/core";
import { throwIfAborted } from "@ragloom/core";
import {
  guardedGenerate,
  type LLMCompressorOptions,
  mapConcurrent,
  parseJsonObject,
  resolveLlmOptions,
} from "./llm-call.js";
import { intlSentenceSplitter, type SentenceSplitter } from "./sentences.js";
import type { DocumentCompressor } from "./types.js";
import { assertQuery, withText } from "./vectors.js";

/** JSON Schema sent with every extractor call: `{"sentences": [integer, ...]}`. */
export const LLM_EXTRACTOR_SCHEMA = {
  type: "object",
  properties: { sentences: { type: "array", items: { type: "integer", minimum: 0 } } },
  required: ["sentences"],
} as const;

/**
 * Default prompt: LangChain's `LLMChainExtractor` instruction ("extract any part of the context
 * *AS IS* that is relevant to answer the question"), with the context given as numbered sentences
 * and the answer as the numbers of the relevant ones, so the extract is verbatim by construction.
 */
export function defaultExtractorPrompt(query: string, sentences: string[]): ChatMessage[] {
  const numbered = sentences.map((s, i) => `[${i}] ${s}`).join("\n");
  return [
    {
      role: "system",
      content:
        'Given a question and a context split into numbered sentences, list the numbers of the sentences that are relevant to answer the question. Answer only with JSON: {"sentences": [numbers]}; use [] if none is relevant.',
    },
    { role: "user", content: `Question: ${query}\n\nContext:\n${numbered}` },
  ];
}

/** Options of {@link createLLMExtractor}. */
export interface LLMExtractorOptions extends LLMCompressorOptions {
  /** Any core `LanguageModel`. */
  model: LanguageModel;
  /** Builds the messages for one document's numbered sentences. @default defaultExtractorPrompt */
  prompt?: (query: string, sentences: string[]) => ChatMessage[];
  /** @default intlSentenceSplitter("en") */
  splitter?: SentenceSplitter;
  /** Joins the extracted sentences. @default " " */
  separator?: string;
  /** `max_tokens` of each answer. @default 64 */
  maxTokens?: number;
}

/**
 * Reads sentence numbers: `{"sentences": [..]}` (numbers or numeric strings), else the first
 * bracketed list of integers in the text. `undefined` when unparsable.
 */
export function parseSentenceIndices(text: string): number[] | undefined {
  const obj = parseJsonObject(text);
  const v = obj?.sentences;
  if (Array.isArray(v)) {
    const nums = v.map((x) => (typeof x === "string" ? Number(x.trim()) : x));
    if (nums.every((x) => typeof x === "number" && Number.isInteger(x))) return nums as number[];
    return undefined;
  }
  const m = /\[\s*(\d+(?:\s*,\s*\d+)*)?\s*\]/.exec(text);
  return m
    ? (m[1] ?? "")
        .split(",")
        .filter((x) => x.trim())
        .map(Number)
    : undefined;
}

/**
 * LLM extractor: for each document, the model picks the sentences relevant to the query; the
 * document keeps exactly those, verbatim, in their original order. A document for which the model
 * answers an empty list is dropped. Out-of-range numbers are ignored; an answer with none in range,
 * an unparsable answer, an error or a timeout applies `onFailure` (keep whole) and warns.
 * Bounded concurrency; aborting `signal` rejects at once.
 *
 * Reference: LangChain `LLMChainExtractor` (verbatim extraction, `NO_OUTPUT` when nothing is relevant).
 * @throws ValidationError for bad options or an empty query; the abort reason on abort.
 */
export function createLLMExtractor(options: LLMExtractorOptions): DocumentCompressor {
  const {
    model,
    prompt = defaultExtractorPrompt,
    splitter = intlSentenceSplitter("en"),
    separator = " ",
  } = options;
  const { concurrency, timeoutMs, maxTokens, onFailure, warningsFor } = resolveLlmOptions(options, 64);
  const name = `llm-extractor(${model.modelId})`;
  const failing = onFailure === "keep" ? "keeping it whole" : "dropping it";
  return {
    name,
    async compress(documents, query, opts = {}) {
      assertQuery(query);
      const { signal } = opts;
      throwIfAborted(signal);
      const onWarning = warningsFor(opts.onWarning);
      const results = await mapConcurrent(
        documents,
        concurrency,
        async (doc) => {
          const sentences = splitter(doc.text);
          if (sentences.length === 0) return undefined;
          const res = await guardedGenerate(model, prompt(query, sentences), {
            signal,
            timeoutMs,
            maxTokens,
            temperature: 0,
            json: { schema: LLM_EXTRACTOR_SCHEMA },
          });
          if (!res.ok) {
            onWarning({
              compressor: name,
              code: res.reason === "timeout" ? "llm-timeout" : "llm-error",
              message: `document ${doc.id}: ${String((res.error as Error)?.message ?? res.error)}; ${failing}`,
              documentId: doc.id,
              cause: res.error,
            });
            return onFailure === "keep" ? doc : undefined;
          }
          const idx = parseSentenceIndices(res.text);
          if (idx !== undefined && idx.length === 0) return undefined;
          const valid = [...new Set(idx ?? [])]
            .filter((i) => i >= 0 && i < sentences.length)
            .sort((a, b) => a - b);
          if (valid.length === 0) {
            onWarning({
              compressor: name,
              code: "llm-unparsable",
              message: `document ${doc.id}: no usable sentence numbers in ${JSON.stringify(res.text.slice(0, 80))}; ${failing}`,
              documentId: doc.id,
            });
            return onFailure === "keep" ? doc : undefined;
          }
          if (valid.length === sentences.length) return doc;
          return withText(doc, valid.map((i) => sentences[i]!).join(separator));
        },
        signal,
      );
      return results.filter((d): d is NonNullable<typeof d> => d !== undefined);
    },
  };
}
