import type { Answerer } from "@ragloom/answer";
import { createOpenAICompatibleModel, type LanguageModel } from "@ragloom/core";
import type { AnswerConfig } from "../config/schema.js";
import type { AnswerHandler, AnswerPart } from "../http/routes/answer.js";
import type { Runtime } from "./create-runtime.js";
import type { Tenant } from "./tenant.js";

/**
 * Answers over every collection with `@ragloom/answer` (imported only when answers are on): one
 * answerer per collection, retrieving through that collection's cached retriever, so answers
 * never see another tenant's documents. Parts are `sources`, `text-delta`, `citation`, `done`.
 * @param model - the language model. @default an OpenAI-compatible model built from `config`
 */
export async function createAnswerHandler(
  runtime: Runtime,
  config: AnswerConfig,
  model?: LanguageModel,
): Promise<AnswerHandler> {
  const { createAnswerer } = await import("@ragloom/answer");
  const llm =
    model ??
    createOpenAICompatibleModel({
      baseURL: config.baseURL,
      model: config.model,
      timeoutMs: config.timeoutMs,
      ...(config.apiKeyEnv && { apiKey: process.env[config.apiKeyEnv] }),
      events: runtime.events,
    });
  const answerers = new Map<string, Answerer>();
  const answererOf = (tenant: Tenant) => {
    let a = answerers.get(tenant.name);
    if (!a) {
      a = createAnswerer({
        retriever: {
          retrieve: (query, o) => tenant.search(query, { k: o?.k, filter: o?.filter, signal: o?.signal }),
        },
        model: llm,
        k: config.k,
        maxContextTokens: config.maxContextTokens,
        maxTokens: config.maxTokens,
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
