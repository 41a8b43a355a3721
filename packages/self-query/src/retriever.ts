import {
  type Filter,
  type RetrievalResult,
  type RetrieveOptions,
  type Retriever,
  ValidationError,
  validateFilter,
} from "@ragloom/core";
import { compileSchema } from "./compiled-schema.js";
import { createRuleBasedParser } from "./rules/rule-parser.js";
import type { SelfQuerySchema } from "./schema.js";
import type { SelfQueryParser, SelfQueryResult } from "./types.js";

/** How a parsed filter meets the default filter. */
export type MergeFilters = "and" | "or" | "replace";

/** Minimal event sink (an eventemitter3 / node EventEmitter works). */
export interface SelfQueryEventSink {
  emit(event: string, payload: unknown): unknown;
}

/** Options of {@link createSelfQueryRetriever}. */
export interface SelfQueryRetrieverOptions {
  /** The retriever that runs the semantic query with the filter. */
  retriever: Retriever;
  /** Attributes requests may filter on. */
  schema: SelfQuerySchema;
  /** @default createRuleBasedParser() */
  parser?: SelfQueryParser;
  /**
   * A mandatory constraint (a tenant, an access-control list): ANDed with everything else on every
   * request, whatever the parser produced and whatever `mergeFilters` says; never merged, ORed or
   * replaced. Validated (filter IR) at creation; may use attributes outside the schema.
   * Put security constraints here, not in `defaultFilter`.
   * @example
   * createSelfQueryRetriever({
   *   retriever,
   *   schema,
   *   requiredFilter: { op: "eq", field: "tenant", value: session.tenantId },
   *   defaultFilter: { op: "eq", field: "lang", value: "en" }, // a preference a request may widen
   *   mergeFilters: "replace",
   * });
   * @default none
   */
  requiredFilter?: Filter | null;
  /**
   * A default the request may refine or (with `mergeFilters: "or" | "replace"`) widen or drop,
   * e.g. a language preference. Not a security boundary: use `requiredFilter` for tenants and
   * permissions. Validated (filter IR) at creation; may use attributes outside the schema.
   * @default none
   */
  defaultFilter?: Filter | null;
  /**
   * How the parsed filter meets `defaultFilter` (never `requiredFilter`, which is always ANDed):
   * `and`: default AND parsed; `or`: default OR parsed; `replace`: a parsed filter replaces the
   * default (reported as `self-query:default-filter-replaced` and in `info`), no parsed filter keeps it.
   * @default "and"
   */
  mergeFilters?: MergeFilters;
  /** Receives `self-query:parsed`, `self-query:warning`, `self-query:default-filter-replaced`. */
  events?: SelfQueryEventSink;
}

/** What the self-query step did, in `RetrievalResult.info.selfQuery`. */
export interface SelfQueryInfo {
  request: string;
  /** Query sent to the inner retriever (the request itself when nothing was left). */
  query: string;
  parsedFilter: Filter | null;
  /** Filter sent to the inner retriever. */
  filter: Filter | null;
  parser: SelfQueryResult["parser"];
  warnings: string[];
  defaultFilter: "none" | "applied" | "replaced";
  /** Whether a `requiredFilter` was ANDed into `filter` (always, when one is configured). */
  requiredFilter: boolean;
  fallback?: SelfQueryResult["fallback"];
}

function merge(a: Filter, b: Filter, op: "and" | "or"): Filter {
  return { op, filters: [a, b] };
}

/**
 * Wraps a retriever: each request is parsed into `{ query, filter }`, the filter is merged with
 * `defaultFilter` (per `mergeFilters`), then ANDed with `requiredFilter` and with the call's own
 * `filter`, and the inner retriever runs the query with it. The filter sent is
 * `required AND call AND merge(default, parsed)`, so no request can widen past `requiredFilter`. When the parser leaves no query text, the whole request is searched.
 * `timings.parse` is the parsing time in milliseconds; `info.selfQuery` is a {@link SelfQueryInfo}.
 * @throws ValidationError for a bad option or request; FilterError for an invalid default or required filter;
 *   whatever the parser and inner retriever throw.
 */
export function createSelfQueryRetriever(options: SelfQueryRetrieverOptions): Retriever {
  const { retriever, events } = options;
  if (!retriever || typeof retriever.retrieve !== "function")
    throw new ValidationError("retriever must be a Retriever");
  const schema = compileSchema(options.schema).schema;
  const parser = options.parser ?? createRuleBasedParser();
  const mode = options.mergeFilters ?? "and";
  if (!["and", "or", "replace"].includes(mode))
    throw new ValidationError(`mergeFilters must be "and", "or" or "replace"`);
  const defaultFilter = options.defaultFilter ? validateFilter(options.defaultFilter) : null;
  const requiredFilter = options.requiredFilter ? validateFilter(options.requiredFilter) : null;
  return {
    async retrieve(request: string, opts: RetrieveOptions = {}): Promise<RetrievalResult> {
      if (typeof request !== "string" || request.trim() === "")
        throw new ValidationError("request must be a non-empty string");
      const t0 = performance.now();
      const parsed = await parser.parse(request, schema, { signal: opts.signal });
      const parseMs = performance.now() - t0;
      let filter: Filter | null = parsed.filter;
      let used: SelfQueryInfo["defaultFilter"] = "none";
      if (defaultFilter) {
        if (!parsed.filter) {
          filter = defaultFilter;
          used = "applied";
        } else if (mode === "replace") {
          used = "replaced";
          events?.emit("self-query:default-filter-replaced", {
            request,
            defaultFilter,
            filter: parsed.filter,
          });
        } else {
          filter = merge(defaultFilter, parsed.filter, mode);
          used = "applied";
        }
      }
      if (opts.filter)
        filter = filter ? merge(validateFilter(opts.filter), filter, "and") : validateFilter(opts.filter);
      if (requiredFilter) filter = filter ? merge(requiredFilter, filter, "and") : requiredFilter;
      for (const w of parsed.warnings) events?.emit("self-query:warning", { request, warning: w });
      const query = parsed.query.trim() || request;
      const info: SelfQueryInfo = {
        request,
        query,
        parsedFilter: parsed.filter,
        filter,
        parser: parsed.parser,
        warnings: parsed.warnings,
        defaultFilter: used,
        requiredFilter: requiredFilter !== null,
        ...(parsed.fallback ? { fallback: parsed.fallback } : {}),
      };
      events?.emit("self-query:parsed", info);
      const result = await retriever.retrieve(query, { ...opts, filter });
      return {
        ...result,
        timings: { ...result.timings, parse: parseMs },
        info: { ...result.info, selfQuery: info },
      };
    },
  };
}
