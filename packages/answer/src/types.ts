import type { Metadata, ScoredDocument, Timings } from "@ragloom/core";

/** One numbered source given to the model: `[n]` in the prompt and in citations. */
export interface Source {
  /** 1-based number of the source, as the model sees it (`[1]` … `[n]`). */
  n: number;
  /** Id of the retrieved document (or chunk). */
  id: string;
  /** Title shown to the model: `metadata.title` when it is a string, else none. */
  title?: string;
  /** The text shown to the model (the whole document, or the sentences that fit the budget). */
  text: string;
  /** Whether `text` is shorter than the retrieved document's text (sentences were left out). */
  truncated: boolean;
  /** Tokens of this source's block in the context (header and text), in the answerer's tokenizer. */
  tokens: number;
  /** Retrieval score of the document (meaning documented by the retriever). */
  score: number;
  metadata: Metadata;
}

/** Why a citation marker was rejected. */
export type CitationProblem =
  /** `[n]` with no source `n` (e.g. `[7]` when there are 4 sources). */
  | "unknown-source"
  /** `quotes: true` and no quoted span right before the marker. */
  | "quote-missing"
  /** `quotes: true` and the quoted span does not occur in the cited source. */
  | "quote-not-found";

/** One citation the model wrote, verified. */
export interface Citation {
  /** The source number written by the model. */
  source: number;
  /** The cited document id, when `source` is a valid number. */
  documentId?: string;
  /** True when the marker points at a source (and, with `quotes: true`, its quote occurs in it). */
  valid: boolean;
  /** Why it is invalid. */
  problem?: CitationProblem;
  /** The quoted span right before the marker, if any (without the quotation marks). */
  quote?: string;
  /** The marker text as written, e.g. `[2]` or `[1, 3]` (one citation per number). */
  marker: string;
  /** Offset of the marker in the model's raw output, in UTF-16 code units. */
  offset: number;
}

/** Token counts of one answer. */
export interface AnswerUsage {
  /** Tokens of the numbered sources in the prompt, in the answerer's tokenizer. */
  contextTokens: number;
  /** Prompt tokens as the model reported them; undefined when it did not. */
  promptTokens?: number;
  /** Completion tokens as the model reported them, else counted with the answerer's tokenizer. */
  completionTokens?: number;
  /** True when `completionTokens` was counted here because the model reported none. */
  completionTokensEstimated: boolean;
  /** Name of the tokenizer of `contextTokens`, e.g. `model:SmolLM2…` or `tiktoken:cl100k_base`. */
  tokenizer: string;
}

/** Which prompt produced an answer. */
export interface AnswerPromptInfo {
  /** `default` (the built-in prompt), `template` (passed as content), `registry` (a prompt reader) or `experiment`. */
  source: "default" | "template" | "registry" | "experiment";
  /** Prompt name (built-in: `ragloom-answer` / `ragloom-answer-quotes`). */
  name?: string;
  /** Prompt version. */
  version?: number;
  /** Experiment id, when an experiment assigned the prompt. */
  experiment?: string;
  /** Variant name, when an experiment assigned the prompt. */
  variant?: string;
}

/** Why an answer is not grounded. */
export type UngroundedReason =
  /** Retrieval returned no document (or none at or above `minScore`): the model was not called. */
  | "no-context"
  /** The model said that the sources do not contain the answer. */
  | "model-declined"
  /** The model answered without a single valid citation. */
  | "no-valid-citation";

/**
 * Per-stage milliseconds of one answer: `retrieve`, `compress`, `pack`, `firstToken` (from the
 * model call to its first text), `generate` (the whole model call), `total`; plus the retriever's
 * own stages prefixed `retrieve.` (e.g. `retrieve.embed`).
 */
export type AnswerTimings = Timings;

/** What `answer()` returns (and what the `done` part of a stream carries). */
export interface Answer {
  /** Id to pass to `feedback()`. */
  id: string;
  question: string;
  /** The answer text, without the markers that were rejected. */
  text: string;
  /** What the model wrote, unchanged. */
  rawText: string;
  /** Every citation the model wrote, valid or not, in order. */
  citations: Citation[];
  /** The numbered sources the model saw. */
  sources: Source[];
  /** Documents retrieved (after compression), best first, including those that did not fit the context. */
  documents: ScoredDocument[];
  /** True when the answer cites at least one source validly and the model did not decline. */
  grounded: boolean;
  ungroundedReason?: UngroundedReason;
  /** What verification removed from `rawText`: rejected markers, by problem. */
  dropped: { markers: number; byProblem: Partial<Record<CitationProblem, number>> };
  finishReason?: string;
  usage: AnswerUsage;
  timings: AnswerTimings;
  /** Completion tokens per second of generation after the first token; undefined below two tokens. */
  tokensPerSecond?: number;
  prompt: AnswerPromptInfo;
  modelId: string;
}

/** One part of a streamed answer. */
export type AnswerPart =
  /** First: the numbered sources the model is about to read. */
  | { type: "sources"; sources: Source[] }
  /** Answer text as it is generated (rejected markers already removed). */
  | { type: "text-delta"; text: string }
  /** A citation, as soon as its marker is complete and verified. */
  | { type: "citation"; citation: Citation }
  /** Last: the final answer, identical to what `answer()` without streaming returns. */
  | { type: "done"; answer: Answer };
