import type { DocumentCompressor, Tokenizer } from "@ragloom/compression";
import type { CallOptions, EventSinkLike, Filter, LanguageModel, Retriever } from "@ragloom/core";
import type { AnswerStream } from "./answer-stream.js";
import type { CitationFormat } from "./citations/json-citations.js";
import type { PackOptions, PackUnit } from "./context/pack.js";
import type { AnswerPromptOption } from "./prompt/resolve-prompt.js";
import type { Answer } from "./types.js";

/** Options of {@link createAnswerer}. */
export interface AnswererOptions {
  /** Where the context comes from (any ragloom retriever or pattern). */
  retriever: Retriever;
  /** The model that answers (`createOpenAICompatibleModel`, `createLlamaCppModel`, …); streams when it can. */
  model: LanguageModel;
  /** The prompt (see {@link AnswerPromptOption}). @default the built-in versioned RAG prompt */
  prompt?: AnswerPromptOption;
  /** Contextual compression applied to the retrieved documents before packing. @default none */
  compressor?: DocumentCompressor;
  /** Documents to retrieve. @default 4 */
  k?: number;
  /** Token budget of the numbered sources in the prompt. @default 1024 */
  maxContextTokens?: number;
  /** Whole documents only, or documents cut to their leading sentences (see `packSources`). @default "sentence" */
  pack?: PackUnit;
  /** Formats one source block. @default `[n] title` (or id), a line break, the text */
  formatSource?: PackOptions["format"];
  /** The tokenizer of the budget. @default the model's `countTokens`, else tiktoken `cl100k_base` */
  tokenizer?: Tokenizer;
  /**
   * Documents scoring below this are not given to the model; when none is left the answer is
   * `grounded: false` (`no-context`) and the model is not called. The score is the retriever's
   * (cosine similarity, BM25, fused rank score …). @default none (every retrieved document counts)
   */
  minScore?: number;
  /**
   * Ask for and verify a quote with each citation (`"exact words" [n]`, or the `quote` of a JSON
   * citation). @default false
   */
  quotes?: boolean;
  /**
   * How the model cites: `"markers"` (`[n]` in the text, verified as they stream) or `"json"` (one
   * object `{ answer, citations: [{ source, quote }] }`, requested with `json: { schema }` so that
   * models which enforce a schema as a grammar always write it; see `jsonAnswerSchema`). With
   * `"json"` the text arrives as one `text-delta` once the model has finished. @default "markers"
   */
  citationFormat?: CitationFormat;
  /** Upper bound on generated tokens. @default 256 */
  maxTokens?: number;
  /** Sampling temperature. @default 0 */
  temperature?: number;
  /** The answer text when there is no context. @default "I don't know." */
  noAnswerText?: string;
  /** Phrases by which the model declines (see `isDeclined`). @default `DEFAULT_DECLINE_PATTERNS` */
  declinePatterns?: readonly RegExp[];
  /** Receives the events of `AnswerEventMap`. @default none */
  events?: EventSinkLike;
  /** How feedback is kept and recorded. */
  feedback?: {
    /** How long an answer id accepts feedback, in milliseconds. @default 86400000 (one day) */
    ttlMs?: number;
    /** Answer ids remembered at most (least recently used are forgotten). @default 10000 */
    max?: number;
    /** Experiment metric of `converted: true`. @default "conversion" */
    conversionMetric?: string;
    /** Experiment metric of `score`. @default "score" */
    scoreMetric?: string;
  };
}

/** Options of one {@link Answerer.answer} call. */
export interface AnswerOptions extends CallOptions {
  /** Metadata filter passed to the retriever. */
  filter?: Filter | null;
  /** Documents to retrieve. @default the answerer's `k` */
  k?: number;
  /** Stream the answer as parts. @default false */
  stream?: boolean;
  /** The user or session the answer is for; required when the prompt comes from an experiment. */
  unitId?: string;
}

/** Feedback on one answer. */
export interface AnswerFeedback {
  /** A numeric rating (recorded as the experiment's `score` metric). */
  score?: number;
  /** Whether the answer converted (thumbs up, accepted, …); `true` records a conversion. */
  converted?: boolean;
}

/** What {@link Answerer.feedback} returns. */
export interface FeedbackResult {
  /** True when an experiment counted the feedback. */
  recorded: boolean;
  experiment?: string;
  variant?: string;
}

/** Answers questions from retrieved context (see {@link createAnswerer}). */
export interface Answerer {
  answer(question: string, options: AnswerOptions & { stream: true }): AnswerStream;
  answer(question: string, options?: AnswerOptions & { stream?: false }): Promise<Answer>;
  /**
   * Records feedback on an answer; under an experiment, `converted: true` counts a conversion and
   * `score` adds a value for the unit that saw the answer.
   * @throws ValidationError for an unknown (or expired) answer id or empty feedback.
   */
  feedback(answerId: string, feedback: AnswerFeedback): Promise<FeedbackResult>;
}
