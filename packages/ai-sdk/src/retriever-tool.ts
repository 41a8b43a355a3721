import { type Filter, type Retriever, throwIfAborted, ValidationError } from "@ragloom/core";
import { tool } from "ai";
import { type CompactOptions, compactDocument, type ToolDocument } from "./compact.js";
import { inputSchema, parseInput, type ToolInput } from "./input.js";
import { checkFixedFilter, checkInteger, combineFilters } from "./options.js";
import type { ExecuteOptions, RagloomTool } from "./tool-type.js";

/** Options of {@link retrieverTool}. */
export interface RetrieverToolOptions extends CompactOptions {
  /** What the model reads about the tool. @default {@link DEFAULT_RETRIEVER_DESCRIPTION} */
  description?: string;
  /** Documents returned when the model passes no `k`. @default min(5, maxK) */
  k?: number;
  /** Largest `k` the model may ask for (the schema's maximum). @default 20 */
  maxK?: number;
  /** Longest accepted query, in UTF-16 code units after trimming. @default 1000 */
  maxQueryLength?: number;
  /**
   * Let the model pass a metadata `filter` (ragloom's filter IR, validated with `validateFilter`).
   * Without it, the input schema has no `filter` field and a filter the model sends is dropped.
   * @default false
   */
  allowFilter?: boolean;
  /**
   * A filter applied to every call (e.g. the tenant of the user), AND-ed with the model's, so the
   * model can only narrow it. @default none
   */
  filter?: Filter | null;
}

/** The tool {@link retrieverTool} returns. */
export type RetrieverTool = RagloomTool<RetrieverToolInput, RetrieverToolOutput>;

/** What the model passes to {@link retrieverTool}. */
export type RetrieverToolInput = ToolInput<"query">;

/** What {@link retrieverTool} returns: plain JSON, best document first. */
export interface RetrieverToolOutput {
  /** The query that was searched (trimmed). */
  query: string;
  /** At most `k` documents, best first. */
  documents: ToolDocument[];
}

/** The default description of {@link retrieverTool}. */
export const DEFAULT_RETRIEVER_DESCRIPTION =
  "Search the knowledge base. Returns the most relevant passages, best first, each with id, text, " +
  "score, metadata and source. Use it before answering questions about the indexed documents.";

/**
 * An AI SDK tool (`tool()` of `ai`) that searches a ragloom retriever. Give it to `generateText`,
 * `streamText` or an agent under a name of your choice (`tools: { search: retrieverTool(r) }`).
 *
 * Input (zod schema; its JSON Schema is what the model sees): `{ query: string (1 to
 * maxQueryLength), k?: integer in [1, maxK], filter?: filter IR (only with allowFilter) }`. The AI
 * SDK validates the model's input against it and reports a bad one to the model as a tool error;
 * `execute` validates again when called directly. Output: {@link RetrieverToolOutput}.
 *
 * `execute` passes the AI SDK's `abortSignal` to the retriever and rejects with the signal's
 * reason (or an `AbortError`) once it aborts.
 * @throws ValidationError (at once) for a `k`, `maxK`, `maxQueryLength` or `maxTextLength` that is
 *   not a positive integer, or `k > maxK`; FilterError for an invalid fixed `filter`. `execute`
 *   rejects with ValidationError / FilterError for invalid input, and with what the retriever throws.
 * @example
 * const { text } = await generateText({
 *   model,
 *   tools: { search: retrieverTool(retriever, { allowFilter: true }) },
 *   stopWhen: stepCountIs(3),
 *   prompt: "How do I retry a failed request?",
 * });
 */
export function retrieverTool(retriever: Retriever, options: RetrieverToolOptions = {}): RetrieverTool {
  if (typeof retriever?.retrieve !== "function") throw new ValidationError("retriever is required");
  const maxK = checkInteger("maxK", options.maxK ?? 20, 1);
  const defaultK = checkInteger("k", options.k ?? Math.min(5, maxK), 1, maxK);
  const maxLength = checkInteger("maxQueryLength", options.maxQueryLength ?? 1000, 1);
  if (options.maxTextLength !== undefined) checkInteger("maxTextLength", options.maxTextLength, 1);
  const fixed = checkFixedFilter(options.filter);
  const schema = inputSchema({
    field: "query",
    describe: "What to search for, in natural language",
    maxLength,
    maxK,
    allowFilter: options.allowFilter ?? false,
  });
  const compact: CompactOptions = {
    maxTextLength: options.maxTextLength,
    metadataFields: options.metadataFields,
    source: options.source,
  };
  const t = tool({
    description: options.description ?? DEFAULT_RETRIEVER_DESCRIPTION,
    inputSchema: schema,
    async execute(
      input: RetrieverToolInput,
      { abortSignal }: ExecuteOptions = {},
    ): Promise<RetrieverToolOutput> {
      const { query, k = defaultK, filter } = parseInput(schema, input);
      throwIfAborted(abortSignal);
      const combined = combineFilters(fixed, filter);
      const result = await retriever.retrieve(query, {
        k,
        ...(combined ? { filter: combined } : {}),
        ...(abortSignal ? { signal: abortSignal } : {}),
      });
      throwIfAborted(abortSignal);
      return { query, documents: result.documents.slice(0, k).map((d) => compactDocument(d, compact)) };
    },
  });
  return t as RetrieverTool;
}
