import type { Answerer } from "@ragloom/answer";
import { createOpenAICompatibleModel, type LanguageModel } from "@ragloom/core";
import { type AnswerConfig, answerConfigOf } from "../config/schema.js";
import { NotFoundError } from "../errors.js";
import type { AnswerHandler, AnswerPart } from "../http/routes/answer.js";
import type { Runtime } from "./create-runtime.js";
import type { Tenant } from "./tenant.js";

/** Whether any collection of the runtime answers questions (top-level or its own `answer`). */
export function answersConfigured(runtime: Runtime): boolean {
  return runtime.config.collections.some((c) => answerConfigOf(runtime.config, c.name));
}

/**
 * Answers over every collection with `@ragloom/answer` (imported only when answers are on): one
 * answerer per collection with that collection's settings (`answerConfigOf`), retrieving through
 * its cached retriever, so answers never see another tenant's documents. Collections sharing a
 * model URL, name, key and timeout share one model client. Parts are `sources`, `text-delta`,
 * `citation`, `done`.
 * @param model - the language model of every collection. @default an OpenAI-compatible model per
 *   distinct `baseURL` + `model` + `apiKeyEnv` + `timeoutMs`
 * @throws NotFoundError (from `stream`) when answers are off for the requested collection.
 */
export async function createAnswerHandler(runtime: Runtime, model?: LanguageModel): Promise<AnswerHandler> {
  const { createAnswerer } = await import("@ragloom/answer");
  const models = new Map<string, LanguageModel>();
  const modelOf = (config: AnswerConfig) => {
    if (model) return model;
    const key = JSON.stringify([config.baseURL, config.model, config.apiKeyEnv, config.timeoutMs]);
    let m = models.get(key);
    if (!m) {
      m = createOpenAICompatibleModel({
        baseURL: config.baseURL,
        model: config.model,
        timeoutMs: config.timeoutMs,
        ...(config.apiKeyEnv && { apiKey: process.env[config.apiKeyEnv] }),
        events: runtime.events,
      });
      models.set(key, m);
    }
    return m;
  };
  const answerers = new Map<string, Answerer>();
  const answererOf = (tenant: Tenant) => {
    let a = answerers.get(tenant.name);
    if (!a) {
      const config = answerConfigOf(runtime.config, tenant.name);
      if (!config) throw new NotFoundError(`answers are not configured for collection "${tenant.name}"`);
      a = createAnswerer({
        retriever: {
          retrieve: (query, o) => tenant.search(query, { k: o?.k, filter: o?.filter, signal: o?.signal }),
        },
        model: modelOf(config),
        k: config.k,
        maxContextTokens: config.maxContextTokens,
        maxTokens: config.maxTokens,
        quotes: config.quotes,
        citationFormat: config.citationFormat,
        ...(config.minScore !== undefined && { minScore: config.minScore }),
      });
      answerers.set(tenant.name, a);
    }
    return a;
  };
  return {
    async *stream(input) {
      const parts = answererOf(input.tenant).answer(input.query, {
        stream: true,
        k: input.k,
        filter: input.filter,
        signal: input.signal,
      });
      for await (const part of parts) yield part as unknown as AnswerPart;
    },
  };
}
