import { ServiceError, ValidationError } from "../errors/errors.js";
import type { ChatMessage, GenerateOptions, GenerateResult, LanguageModel } from "../types/language-model.js";
import { type OpenAICompatibleConnection, pingOpenAICompatible, postJson } from "./http.js";

/**
 * How `json: { schema }` is sent as `response_format`:
 * - `json-object-schema`: `{ type: "json_object", schema }`, the llama.cpp server / llama-cpp-python
 *   dialect (grammar-constrained decoding). llama-cpp-python 0.3.x answers HTTP 500 to `json_schema`.
 * - `json-schema`: `{ type: "json_schema", json_schema: { name, schema, strict: true } }`, OpenAI
 *   structured outputs, also accepted by vLLM, LM Studio and Ollama.
 * - `json-object`: `{ type: "json_object" }` only (the schema is not sent; old OpenAI JSON mode).
 */
export type JsonResponseFormat = "json-object-schema" | "json-schema" | "json-object";

/** Options of {@link createOpenAICompatibleModel}. */
export interface OpenAICompatibleModelOptions extends OpenAICompatibleConnection {
  /**
   * Wire format of `json: { schema }` (see {@link JsonResponseFormat}). Use `json-schema` for
   * OpenAI, vLLM, LM Studio and Ollama. @default "json-object-schema" (llama.cpp server style)
   */
  jsonFormat?: JsonResponseFormat;
  /** Default `max_tokens` when a call does not set `maxTokens`. @default none (server default) */
  maxTokens?: number;
  /** Default sampling temperature. @default none (server default) */
  temperature?: number;
  /** Extra fields merged into every request body (e.g. `{ top_p: 0.9, seed: 1 }`). @default {} */
  body?: Record<string, unknown>;
}

interface ChatCompletionResponse {
  choices?: Array<{ message?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** The model returned by {@link createOpenAICompatibleModel}. */
export interface OpenAICompatibleModel extends LanguageModel {
  /** Readiness probe (`GET {baseURL}/models`, 5 s limit) for `createHealthCheck`. */
  ping(options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * A {@link LanguageModel} over the OpenAI chat completions API (`POST {baseURL}/chat/completions`),
 * which OpenAI, Ollama, vLLM, LM Studio and llama.cpp / llama-cpp-python servers speak.
 *
 * Transient failures (network errors, HTTP 408/429/5xx) are retried with exponential backoff and
 * jitter (p-retry); 4xx errors are not. `timeoutMs` bounds the whole call, retries included.
 * @returns `{ text, finishReason, usage }`; with `json` set, `text` is the JSON string the model wrote.
 * @throws ValidationError for an empty message list; ServiceError (service `llm`, with `status`) when
 *   the server fails or answers without a choice; TimeoutError; AbortError.
 * @example
 * const llm = createOpenAICompatibleModel({ baseURL: "http://localhost:11434/v1", model: "llama3.2", jsonFormat: "json-schema" });
 * const { text } = await llm.generate([{ role: "user", content: "Hi" }], { maxTokens: 32 });
 */
export function createOpenAICompatibleModel(options: OpenAICompatibleModelOptions): OpenAICompatibleModel {
  if (!options?.baseURL) throw new ValidationError("baseURL is required (e.g. http://localhost:8080/v1)");
  if (!options.model) throw new ValidationError("model is required");
  const jsonFormat = options.jsonFormat ?? "json-object-schema";
  const defaultTimeout = options.timeoutMs ?? 60_000;

  const responseFormat = (json: GenerateOptions["json"]) => {
    if (!json) return undefined;
    if (json === true || jsonFormat === "json-object") return { type: "json_object" };
    if (jsonFormat === "json-schema") {
      return { type: "json_schema", json_schema: { name: "response", schema: json.schema, strict: true } };
    }
    return { type: "json_object", schema: json.schema };
  };

  return {
    modelId: options.model,
    ping: (opts = {}) => pingOpenAICompatible(options, { service: "llm", signal: opts.signal }),
    async generate(messages: ChatMessage[], opts: GenerateOptions = {}): Promise<GenerateResult> {
      if (!Array.isArray(messages) || messages.length === 0) {
        throw new ValidationError("messages must be a non-empty array");
      }
      const body: Record<string, unknown> = {
        ...options.body,
        model: options.model,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
      };
      const maxTokens = opts.maxTokens ?? options.maxTokens;
      if (maxTokens !== undefined) body.max_tokens = maxTokens;
      const temperature = opts.temperature ?? options.temperature;
      if (temperature !== undefined) body.temperature = temperature;
      const format = responseFormat(opts.json);
      if (format) body.response_format = format;
      const reply = await postJson<ChatCompletionResponse>(options, "/chat/completions", body, {
        service: "llm",
        timeoutMs: opts.timeoutMs ?? defaultTimeout,
        signal: opts.signal,
      });
      const choice = reply.choices?.[0];
      if (!choice?.message) {
        throw new ServiceError("llm", "the reply has no choices[0].message", { retryable: false });
      }
      return {
        text: choice.message.content ?? "",
        finishReason: choice.finish_reason ?? undefined,
        usage: reply.usage
          ? { promptTokens: reply.usage.prompt_tokens, completionTokens: reply.usage.completion_tokens }
          : undefined,
      };
    },
  };
}
