import { AsyncLocalStorage } from "node:async_hooks";
import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import { parseCallbackConfigArg } from "@langchain/core/callbacks/manager";
import type { DocumentInterface } from "@langchain/core/documents";
import { BaseRetriever, type BaseRetrieverInput } from "@langchain/core/retrievers";
import { ensureConfig, type RunnableConfig } from "@langchain/core/runnables";
import type { Filter, RetrievalResult, RetrieveOptions, Retriever } from "@ragloom/core";
import { ValidationError } from "@ragloom/core";
import { raceAbort } from "./abort.js";
import { type ToLangChainDocumentOptions, toLangChainDocument } from "./documents.js";

/**
 * Key under `RunnableConfig.configurable` whose value overrides the retrieval options of one call:
 * `retriever.invoke(query, { configurable: { ragloom: { k: 3, filter } } })`. Inside a chain the
 * config reaches every step, so `chain.invoke(input, { configurable: { ragloom: { k: 3 } } })`
 * sets them for the ragloom retrievers of that chain.
 */
export const RAGLOOM_CONFIG_KEY = "ragloom";

/**
 * Name of the LangChain custom event each retrieval dispatches on its run, with data
 * {@link RagloomRetrievalEvent}: callback handlers see it in `handleCustomEvent`, and
 * `streamEvents` as an `on_custom_event`.
 */
export const RAGLOOM_RETRIEVAL_EVENT = "ragloom_retrieval";

/** Data of the {@link RAGLOOM_RETRIEVAL_EVENT} custom event. */
export interface RagloomRetrievalEvent {
  /** Documents returned. */
  count: number;
  /** Per-stage milliseconds reported by the ragloom retriever (`embed`, `search`, `total`, ...). */
  timings: RetrievalResult["timings"];
  /** Extra facts the ragloom retriever reported (e.g. `{ cache: "hit" }`), when any. */
  info?: Record<string, unknown>;
}

/** The retrieval options a ragloom retriever accepts, without the signal (LangChain's config carries it). */
export type RagloomCallOptions<R extends Retriever> = Omit<
  NonNullable<Parameters<R["retrieve"]>[1]>,
  "signal"
>;

/** Options of {@link toLangChainRetriever} and the {@link RagloomRetriever} constructor. */
export interface RagloomRetrieverOptions<R extends Retriever = Retriever> extends BaseRetrieverInput {
  /** Documents per query, unless a call overrides it. @default the ragloom retriever's own `k` */
  k?: number;
  /** Metadata filter (ragloom filter IR, e.g. `F.eq("lang", "en")`) of every call, unless a call overrides it. @default none */
  filter?: Filter | null;
  /**
   * Further options of the ragloom retriever passed on every call (for a `createRetriever`
   * retriever: `mode`, `candidates`, `includeVectors`). `k` and `filter` above take precedence.
   * @default {}
   */
  retrieveOptions?: RagloomCallOptions<R>;
  /** How hits become LangChain documents (metadata keys of the id and score). */
  documents?: ToLangChainDocumentOptions;
}

/**
 * A LangChain.js retriever (a `BaseRetriever`, hence a `Runnable<string, Document[]>`) answering
 * from a ragloom {@link Retriever}. Use it wherever LangChain takes a retriever: in LCEL chains
 * (`retriever.pipe(formatDocs)`, `RunnableSequence.from([...])`), `createRetrievalChain`, tools.
 *
 * Each call runs `retriever.retrieve(query, { ...retrieveOptions, k, filter, signal })` and
 * returns the hits best first as LangChain `Document`s: `pageContent` is the chunk text, `id` the
 * chunk id, and `metadata` the ragloom metadata plus `id` and `score` (see
 * {@link toLangChainDocument}). Options of one call come from
 * `config.configurable.ragloom` ({@link RAGLOOM_CONFIG_KEY}): `{ k?, filter?, ...any other
 * option of the ragloom retriever }`, which replace the defaults field by field (a call's
 * `filter` replaces the default filter; combine them with `F.and(...)` yourself, or pass
 * `filter: null` to search without one).
 *
 * The call's `signal` (also the one LangChain derives from `config.timeout`) is passed to ragloom
 * and the call rejects with a ragloom `AbortError` as soon as it aborts, even when the ragloom
 * retriever does not check it. Callbacks work as for every LangChain retriever
 * (`handleRetrieverStart`, `handleRetrieverEnd`, `handleRetrieverError`, tracing), and each
 * retrieval dispatches the {@link RAGLOOM_RETRIEVAL_EVENT} custom event with ragloom's timings.
 *
 * Errors are ragloom's (`ValidationError` for a bad `k` or query, `FilterError` for a malformed
 * filter, `ServiceError` ...), plus a `ValidationError` when `configurable.ragloom` is not an object.
 */
export class RagloomRetriever<R extends Retriever = Retriever> extends BaseRetriever {
  static override lc_name(): string {
    return "RagloomRetriever";
  }

  lc_namespace = ["ragloom", "retrievers"];

  /** The ragloom retriever answering the queries. */
  readonly retriever: R;
  /** Default documents per query (`undefined`: the ragloom retriever's own). */
  k: number | undefined;
  /** Default metadata filter. */
  filter: Filter | null | undefined;
  /** Further ragloom options of every call. */
  retrieveOptions: RagloomCallOptions<R>;
  /** How hits become LangChain documents. */
  documentOptions: ToLangChainDocumentOptions;

  /** The config of the call in progress (LangChain's `_getRelevantDocuments` does not receive it). */
  readonly #calls = new AsyncLocalStorage<RunnableConfig>();

  constructor(retriever: R, options: RagloomRetrieverOptions<R> = {}) {
    const { callbacks, tags, metadata, verbose } = options;
    super({ callbacks, tags, metadata, verbose });
    if (typeof retriever?.retrieve !== "function")
      throw new ValidationError("retriever must be a ragloom retriever (an object with a retrieve method)");
    this.retriever = retriever;
    this.k = options.k;
    this.filter = options.filter;
    this.retrieveOptions = { ...(options.retrieveOptions ?? {}) } as RagloomCallOptions<R>;
    this.documentOptions = { ...(options.documents ?? {}) };
  }

  /**
   * Retrieves the documents for `input` (see the class description for `config`).
   * @param input - The query.
   * @param options - LangChain config: `callbacks`, `tags`, `metadata`, `runName`, `signal`,
   *   `timeout` (ms), and `configurable.ragloom` for this call's retrieval options.
   */
  override async invoke(input: string, options?: RunnableConfig): Promise<DocumentInterface[]> {
    const config = ensureConfig(parseCallbackConfigArg(options));
    return this.#calls.run(config, () => super.invoke(input, config));
  }

  /** @internal Called by `invoke` with the run's callback manager. */
  override async _getRelevantDocuments(
    query: string,
    runManager?: CallbackManagerForRetrieverRun,
  ): Promise<DocumentInterface[]> {
    const config = this.#calls.getStore() ?? {};
    const options = this.callOptions(config);
    const signal = config.signal;
    const result = await raceAbort(() => this.retriever.retrieve(query, { ...options, signal }), signal);
    const event: RagloomRetrievalEvent = { count: result.documents.length, timings: result.timings };
    if (result.info !== undefined) event.info = result.info;
    await runManager?.handleCustomEvent(RAGLOOM_RETRIEVAL_EVENT, event);
    return result.documents.map((d) => toLangChainDocument(d, this.documentOptions));
  }

  /** The ragloom options of one call: defaults, then `config.configurable.ragloom`. */
  private callOptions(config: RunnableConfig): RetrieveOptions {
    const perCall: unknown = config.configurable?.[RAGLOOM_CONFIG_KEY];
    if (perCall !== undefined && (typeof perCall !== "object" || perCall === null || Array.isArray(perCall)))
      throw new ValidationError(
        `configurable.${RAGLOOM_CONFIG_KEY} must be an object of retrieval options, got ${JSON.stringify(perCall)}`,
      );
    const options: RetrieveOptions = { ...(this.retrieveOptions as RetrieveOptions) };
    if (this.k !== undefined) options.k = this.k;
    if (this.filter !== undefined) options.filter = this.filter;
    Object.assign(options, perCall);
    delete options.signal;
    return options;
  }
}

/**
 * Wraps a ragloom retriever (from `createRetriever`, or any {@link Retriever} such as a
 * compressed, parent-document or self-query one) as a LangChain.js retriever, so that a LangChain
 * app switches its retriever to ragloom in one line and keeps its chains.
 *
 * @example
 * const retriever = toLangChainRetriever(createRetriever({ embedder, store }), { k: 4 });
 * const docs = await retriever.invoke("how do I retry?", { configurable: { ragloom: { filter: F.eq("lang", "en") } } });
 * @throws ValidationError when `retriever` has no `retrieve` method.
 */
export function toLangChainRetriever<R extends Retriever>(
  retriever: R,
  options?: RagloomRetrieverOptions<R>,
): RagloomRetriever<R> {
  return new RagloomRetriever(retriever, options);
}
