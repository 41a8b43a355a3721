import {
  type Filter,
  type Metadata,
  type ScoredDocument,
  throwIfAborted,
  ValidationError,
} from "@ragloom/core";
import { tool } from "ai";
import { defaultSource } from "./compact.js";
import { inputSchema, parseInput, type ToolInput } from "./input.js";
import { checkFixedFilter, checkInteger, combineFilters } from "./options.js";
import type { ExecuteOptions, RagloomTool } from "./tool-type.js";

/** Why an answer is not grounded (as `@ragloom/answer` reports it). */
export type UngroundedReason = "no-context" | "model-declined" | "no-valid-citation";

/** The part of a `@ragloom/answer` source that {@link answerTool} reads. */
export interface AnswerSourceLike {
  n: number;
  id: string;
  title?: string;
  text: string;
  score: number;
  metadata: Metadata;
}

/** The part of a `@ragloom/answer` answer that {@link answerTool} reads. */
export interface AnswerLike {
  id: string;
  text: string;
  grounded: boolean;
  ungroundedReason?: UngroundedReason;
  citations: Array<{ source: number; documentId?: string; valid: boolean; quote?: string }>;
  sources: AnswerSourceLike[];
}

/**
 * What {@link answerTool} needs of an answerer: the `answer` method of `createAnswerer` (from
 * `@ragloom/answer`), which any such answerer has.
 */
export interface AnswererLike {
  answer(question: string, options?: { filter?: Filter | null; signal?: AbortSignal }): Promise<AnswerLike>;
}

/** Options of {@link answerTool}. */
export interface AnswerToolOptions {
  /** What the model reads about the tool. @default {@link DEFAULT_ANSWER_DESCRIPTION} */
  description?: string;
  /** Longest accepted question, in UTF-16 code units after trimming. @default 1000 */
  maxQuestionLength?: number;
  /** Let the model pass a metadata `filter` for the retrieval (filter IR). @default false */
  allowFilter?: boolean;
  /** A filter applied to every retrieval, AND-ed with the model's. @default none */
  filter?: Filter | null;
  /** Include the text of each source the answer was written from. @default false */
  includeSourceText?: boolean;
  /** The `source` of a document. @default `metadata.source`, else `metadata.parentId`, else its id */
  source?: (document: ScoredDocument) => string;
}

/** The tool {@link answerTool} returns. */
export type AnswerTool = RagloomTool<AnswerToolInput, AnswerToolOutput>;

/** What the model passes to {@link answerTool}. */
export type AnswerToolInput = ToolInput<"question">;

/** One numbered source of an answer, as {@link answerTool} returns it. */
export interface AnswerToolSource {
  /** Its number, as the answer cites it (`[n]`). */
  n: number;
  /** Id of the retrieved document or chunk. */
  id: string;
  /** `metadata.title` when it is a string. */
  title?: string;
  /** Where the document comes from (see `source` option). */
  source: string;
  /** Retrieval score (higher is better), rounded to 4 decimals. */
  score: number;
  /** The text the answering model saw (only with `includeSourceText`). */
  text?: string;
}

/** What {@link answerTool} returns: plain JSON. */
export interface AnswerToolOutput {
  /** Id of the answer (for `answerer.feedback`). */
  answerId: string;
  /** The answer, with `[n]` markers that point at `sources` (rejected markers removed). */
  answer: string;
  /** True when the answer cites at least one source validly and the model did not decline. */
  grounded: boolean;
  /** Why the answer is not grounded. */
  ungroundedReason?: UngroundedReason;
  /** The valid citations, in order: source number, document id and the verified quote if any. */
  citations: Array<{ source: number; documentId: string; quote?: string }>;
  /** The numbered sources the answer was written from. */
  sources: AnswerToolSource[];
}

/** The default description of {@link answerTool}. */
export const DEFAULT_ANSWER_DESCRIPTION =
  "Answer a question from the knowledge base. Returns an answer with [n] citations, whether it is " +
  "grounded in the sources, and the numbered sources it cites.";

/**
 * An AI SDK tool that answers a question with a ragloom answerer (`createAnswerer` of
 * `@ragloom/answer`): retrieval, context packing, generation and citation checks run inside the
 * tool, and the calling model gets the answer, its valid citations and its sources.
 *
 * Input (zod schema): `{ question: string (1 to maxQuestionLength), filter?: filter IR (only with
 * allowFilter) }`. Output: {@link AnswerToolOutput}. `execute` passes the AI SDK's `abortSignal`
 * to the answerer.
 * @throws ValidationError (at once) for a missing answerer or a bad `maxQuestionLength`;
 *   FilterError for an invalid fixed `filter`. `execute` rejects with ValidationError / FilterError
 *   for invalid input and with what the answerer throws (ServiceError, TimeoutError, AbortError).
 */
export function answerTool(answerer: AnswererLike, options: AnswerToolOptions = {}): AnswerTool {
  if (typeof answerer?.answer !== "function") throw new ValidationError("answerer is required");
  const maxLength = checkInteger("maxQuestionLength", options.maxQuestionLength ?? 1000, 1);
  const fixed = checkFixedFilter(options.filter);
  const schema = inputSchema({
    field: "question",
    describe: "The question to answer, in natural language",
    maxLength,
    allowFilter: options.allowFilter ?? false,
  });
  const sourceOf = options.source ?? defaultSource;
  const withText = options.includeSourceText ?? false;
  const t = tool({
    description: options.description ?? DEFAULT_ANSWER_DESCRIPTION,
    inputSchema: schema,
    async execute(input: AnswerToolInput, { abortSignal }: ExecuteOptions = {}): Promise<AnswerToolOutput> {
      const { question, filter } = parseInput(schema, input);
      throwIfAborted(abortSignal);
      const combined = combineFilters(fixed, filter);
      const answer = await answerer.answer(question, {
        ...(combined ? { filter: combined } : {}),
        ...(abortSignal ? { signal: abortSignal } : {}),
      });
      throwIfAborted(abortSignal);
      return toOutput(answer, (s) => compactSource(s, sourceOf, withText));
    },
  });
  return t as AnswerTool;
}

function compactSource(
  s: AnswerSourceLike,
  sourceOf: (d: ScoredDocument) => string,
  withText: boolean,
): AnswerToolSource {
  return {
    n: s.n,
    id: s.id,
    ...(s.title !== undefined ? { title: s.title } : {}),
    source: sourceOf({ id: s.id, text: s.text, score: s.score, metadata: s.metadata }),
    score: Math.round(s.score * 1e4) / 1e4,
    ...(withText ? { text: s.text } : {}),
  };
}

function toOutput(answer: AnswerLike, source: (s: AnswerSourceLike) => AnswerToolSource): AnswerToolOutput {
  return {
    answerId: answer.id,
    answer: answer.text,
    grounded: answer.grounded,
    ...(answer.ungroundedReason ? { ungroundedReason: answer.ungroundedReason } : {}),
    citations: answer.citations
      .filter((c) => c.valid && c.documentId !== undefined)
      .map((c) => ({
        source: c.source,
        documentId: c.documentId!,
        ...(c.quote !== undefined ? { quote: c.quote } : {}),
      })),
    sources: answer.sources.map(source),
  };
}
