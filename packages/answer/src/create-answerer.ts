import { loadTiktokenTokenizer, type Tokenizer } from "@ragloom/compression";
import type { GenerateStreamPart, LanguageModel, ScoredDocument } from "@ragloom/core";
import { throwIfAborted, ValidationError } from "@ragloom/core";
import type { Experiments } from "@ragloom/prompts";
import { LRUCache } from "lru-cache";
import { type AnswerStream, createAnswerStream } from "./answer-stream.js";
import type { Answerer, AnswererOptions, AnswerOptions } from "./answerer-options.js";
import { createCitationStream } from "./citations/citation-stream.js";
import { jsonAnswerSchema, parseJsonAnswer } from "./citations/json-citations.js";
import { packSources } from "./context/pack.js";
import { emitAnswerEvent } from "./events.js";
import { type PendingFeedback, recordFeedback } from "./feedback.js";
import { DEFAULT_DECLINE_PATTERNS, isDeclined } from "./grounding.js";
import { NO_ANSWER } from "./prompt/default-prompt.js";
import { preparePrompt } from "./prompt/resolve-prompt.js";
import type { Answer, AnswerPart, AnswerTimings, CitationProblem, Source } from "./types.js";

const now = () => performance.now();
const ms = (t: number) => Math.round((now() - t) * 100) / 100;

/**
 * Creates an answerer: retrieve → optional contextual compression → pack the documents into
 * `maxContextTokens` as numbered sources `[1]`…`[n]` → prompt → the model (streamed when it can) →
 * citations parsed and verified (`createCitationStream`: markers without a source, and with
 * `quotes: true` quotes not found in the cited source, are removed and reported; with
 * `citationFormat: "json"`, the model writes `{ answer, citations }` under a JSON schema and
 * `parseJsonAnswer` verifies the citations the same way).
 *
 * An answer is `grounded` when the model cites at least one source validly and does not decline;
 * otherwise `ungroundedReason` says why (`no-context`: nothing retrieved above `minScore`, the model
 * was not called; `model-declined`; `no-valid-citation`).
 * @throws ValidationError for bad options (at once) or an empty question (per answer); what the
 *   retriever, compressor and model throw (ServiceError, TimeoutError, AbortError).
 * @example
 * const answerer = createAnswerer({ retriever, model: await createLlamaCppModel({ modelPath }) });
 * const a = await answerer.answer("How do I retry with backoff?");
 * console.log(a.text, a.citations.filter((c) => c.valid), a.grounded);
 * for await (const part of answerer.answer("…", { stream: true }))
 *   if (part.type === "text-delta") process.stdout.write(part.text);
 */
export function createAnswerer(options: AnswererOptions): Answerer {
  const { retriever, model, compressor, events } = options;
  if (typeof retriever?.retrieve !== "function") throw new ValidationError("retriever is required");
  if (typeof model?.generate !== "function") throw new ValidationError("model is required");
  const k = options.k ?? 4;
  const maxContextTokens = options.maxContextTokens ?? 1024;
  const maxTokens = options.maxTokens ?? 256;
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be an integer >= 1, got ${k}`);
  if (!Number.isInteger(maxContextTokens) || maxContextTokens < 1) {
    throw new ValidationError(`maxContextTokens must be an integer >= 1, got ${maxContextTokens}`);
  }
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new ValidationError(`maxTokens must be an integer >= 1, got ${maxTokens}`);
  }
  const quotes = options.quotes ?? false;
  const citationFormat = options.citationFormat ?? "markers";
  if (citationFormat !== "markers" && citationFormat !== "json")
    throw new ValidationError(`citationFormat must be "markers" or "json", got ${String(citationFormat)}`);
  const prepare = preparePrompt(options.prompt, quotes, citationFormat);
  const experiments: Experiments | undefined =
    options.prompt && "experiments" in options.prompt ? options.prompt.experiments : undefined;
  const noAnswerText = options.noAnswerText ?? NO_ANSWER;
  const declinePatterns = options.declinePatterns ?? DEFAULT_DECLINE_PATTERNS;
  const fb = options.feedback ?? {};
  const pending = new LRUCache<string, PendingFeedback>({
    max: fb.max ?? 10_000,
    ttl: fb.ttlMs ?? 86_400_000,
  });
  let tokenizer: Promise<Tokenizer> | undefined = options.tokenizer
    ? Promise.resolve(options.tokenizer)
    : undefined;
  const getTokenizer = () => {
    tokenizer ??= model.countTokens
      ? Promise.resolve({ name: `model:${model.modelId}`, count: model.countTokens.bind(model) })
      : loadTiktokenTokenizer("cl100k_base");
    return tokenizer;
  };

  async function* modelParts(
    messages: Parameters<LanguageModel["generate"]>[0],
    signal: AbortSignal,
    json?: { schema: Record<string, unknown> },
  ): AsyncGenerator<GenerateStreamPart> {
    const opts = { maxTokens, temperature: options.temperature ?? 0, signal, ...(json && { json }) };
    if (model.stream) {
      yield* model.stream(messages, opts);
      return;
    }
    const r = await model.generate(messages, opts);
    if (r.text) yield { type: "text-delta", text: r.text };
    yield { type: "finish", finishReason: r.finishReason, usage: r.usage };
  }

  async function* run(
    question: string,
    opts: AnswerOptions,
    stream: boolean,
    signal: AbortSignal,
  ): AsyncGenerator<AnswerPart> {
    const id = globalThis.crypto.randomUUID();
    const t0 = now();
    const timings: AnswerTimings = {};
    emitAnswerEvent(events, "answer:start", { answerId: id, question, stream });
    try {
      const prompt = await prepare(opts.unitId);
      throwIfAborted(signal);
      let t = now();
      const retrieved = await retriever.retrieve(question, {
        k: opts.k ?? k,
        ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
        signal,
      });
      timings.retrieve = ms(t);
      for (const [stage, v] of Object.entries(retrieved.timings ?? {})) timings[`retrieve.${stage}`] = v;
      let documents: ScoredDocument[] = retrieved.documents;
      if (compressor && documents.length) {
        t = now();
        documents = await compressor.compress(documents, question, { signal });
        timings.compress = ms(t);
      }
      const usable =
        options.minScore === undefined ? documents : documents.filter((d) => d.score >= options.minScore!);
      t = now();
      const tok = await getTokenizer();
      const packed = packSources(usable, {
        maxTokens: maxContextTokens,
        tokenizer: tok,
        unit: options.pack ?? "sentence",
        ...(options.formatSource ? { format: options.formatSource } : {}),
      });
      timings.pack = ms(t);
      const sources = packed.sources;
      yield { type: "sources", sources };

      const citable = sources.map((s) => ({ n: s.n, id: s.id, text: textOf(usable, s) }));
      const citer = createCitationStream({ sources: citable, quotes });
      let parsedJson: ReturnType<typeof parseJsonAnswer> | undefined;
      let finishReason: string | undefined;
      let usage: { promptTokens?: number; completionTokens?: number } | undefined;
      let firstAt: number | undefined;
      let endAt: number | undefined;
      let rawText: string;
      if (sources.length === 0) {
        rawText = noAnswerText;
        yield { type: "text-delta", text: noAnswerText };
      } else {
        const messages = prompt.toMessages({
          question,
          context: packed.context,
          sources: sources.map((s) => ({ n: s.n, id: s.id, title: s.title ?? s.id, text: s.text })),
        });
        const tGen = now();
        const json =
          citationFormat === "json" ? { schema: jsonAnswerSchema(sources.map((s) => s.n)) } : undefined;
        let jsonRaw = "";
        for await (const part of modelParts(messages, signal, json)) {
          if (part.type === "finish") {
            finishReason = part.finishReason;
            usage = part.usage;
            continue;
          }
          if (firstAt === undefined) {
            firstAt = now();
            timings.firstToken = Math.round((firstAt - tGen) * 100) / 100;
            emitAnswerEvent(events, "answer:first-token", { answerId: id, ms: timings.firstToken });
          }
          if (json) jsonRaw += part.text;
          else yield* toParts(citer.push(part.text), id);
        }
        if (json) {
          parsedJson = parseJsonAnswer(jsonRaw, citable, quotes);
          if (parsedJson.text) yield { type: "text-delta", text: parsedJson.text };
          for (const citation of parsedJson.citations) yield* toParts([{ type: "citation", citation }], id);
        } else yield* toParts(citer.end(), id);
        endAt = now();
        timings.generate = ms(tGen);
        rawText = json ? jsonRaw : citer.raw;
      }
      const text = sources.length === 0 ? noAnswerText : (parsedJson?.text ?? citer.text);
      const citations = parsedJson?.citations ?? citer.citations;
      const valid = citations.filter((c) => c.valid).length;
      const byProblem: Partial<Record<CitationProblem, number>> = {};
      for (const c of citations) if (c.problem) byProblem[c.problem] = (byProblem[c.problem] ?? 0) + 1;
      const ungroundedReason =
        sources.length === 0
          ? ("no-context" as const)
          : isDeclined(text, valid, declinePatterns)
            ? ("model-declined" as const)
            : valid === 0
              ? ("no-valid-citation" as const)
              : undefined;
      const reported = usage?.completionTokens;
      const completionTokens = sources.length === 0 ? 0 : (reported ?? tok.count(rawText));
      const tokensPerSecond =
        firstAt !== undefined && endAt !== undefined && completionTokens >= 2 && endAt > firstAt
          ? Math.round(((completionTokens - 1) / ((endAt - firstAt) / 1000)) * 10) / 10
          : undefined;
      timings.total = ms(t0);
      const answer: Answer = {
        id,
        question,
        text,
        rawText,
        citations,
        sources,
        documents,
        grounded: ungroundedReason === undefined,
        ...(ungroundedReason ? { ungroundedReason } : {}),
        dropped: { markers: citations.length - valid, byProblem },
        ...(finishReason !== undefined ? { finishReason } : {}),
        usage: {
          contextTokens: packed.tokens,
          ...(usage?.promptTokens !== undefined ? { promptTokens: usage.promptTokens } : {}),
          completionTokens,
          completionTokensEstimated: sources.length > 0 && reported === undefined,
          tokenizer: tok.name,
        },
        timings,
        ...(tokensPerSecond !== undefined ? { tokensPerSecond } : {}),
        prompt: prompt.info,
        modelId: model.modelId,
      };
      pending.set(id, {
        ...(prompt.info.experiment
          ? { experiment: prompt.info.experiment, variant: prompt.info.variant }
          : {}),
        ...(prompt.unitId ? { unitId: prompt.unitId } : {}),
      });
      emitAnswerEvent(events, "answer:end", {
        answerId: id,
        grounded: answer.grounded,
        ...(ungroundedReason ? { ungroundedReason } : {}),
        citations: citations.length,
        invalidCitations: citations.length - valid,
        timings,
        usage: answer.usage,
        ...(tokensPerSecond !== undefined ? { tokensPerSecond } : {}),
        prompt: prompt.info,
      });
      yield { type: "done", answer };
    } catch (error) {
      emitAnswerEvent(events, "answer:error", { answerId: id, question, error });
      throw error;
    }
  }

  function* toParts(out: ReturnType<ReturnType<typeof createCitationStream>["push"]>, answerId: string) {
    for (const o of out) {
      if (o.type === "text") yield { type: "text-delta" as const, text: o.text };
      else {
        if (!o.citation.valid)
          emitAnswerEvent(events, "citation:invalid", { answerId, citation: o.citation });
        yield { type: "citation" as const, citation: o.citation };
      }
    }
  }

  function answer(question: string, opts: AnswerOptions & { stream: true }): AnswerStream;
  function answer(question: string, opts?: AnswerOptions & { stream?: false }): Promise<Answer>;
  function answer(question: string, opts: AnswerOptions = {}): AnswerStream | Promise<Answer> {
    if (typeof question !== "string" || question.trim() === "") {
      const error = new ValidationError("question must be a non-empty string");
      if (opts.stream) throw error;
      return Promise.reject(error);
    }
    const stream = createAnswerStream((cancelled) => {
      const signal = opts.signal ? AbortSignal.any([opts.signal, cancelled]) : cancelled;
      return run(question, opts, opts.stream === true, signal);
    });
    return opts.stream ? stream : stream.result();
  }

  return {
    answer,
    feedback: (answerId, feedback) =>
      recordFeedback(typeof answerId === "string" ? pending.get(answerId) : undefined, answerId, feedback, {
        experiments,
        events,
        ...fb,
      }),
  };
}

/** The full retrieved text of a packed source (quotes are checked against the whole document). */
function textOf(documents: ScoredDocument[], source: Source): string {
  return documents.find((d) => d.id === source.id)?.text ?? source.text;
}
