import { ServiceError, ValidationError } from "../errors/errors.js";
import type {
  ChatMessage,
  GenerateOptions,
  GenerateResult,
  GenerateStreamPart,
  LanguageModel,
} from "../types/language-model.js";
import { postEventStream } from "./event-stream.js";
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
  /**
   * Ask for token usage at the end of a stream (`stream_options: { include_usage: true }`, OpenAI,
   * vLLM, Ollama). llama-cpp-python 0.3.x does not send it; without it a stream's `finish` part has
   * no `usage` unless the server sends one anyway. @default false
   */
  streamUsage?: boolean;
}

interface ChatCompletionChunk {
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

const toUsage = (u: { prompt_tokens?: number; completion_tokens?: number }) => ({
  promptTokens: u.prompt_tokens,
  completionTokens: u.completion_tokens,
});

interface ChatCompletionResponse {
  choices?: Array<{ message?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** The model returned by {@link createOpenAICompatibleModel}. */
export interface OpenAICompatibleModel extends LanguageModel {
  /** Streams a chat completion (see {@link createOpenAICompatibleModel}). */
  stream(messages: ChatMessage[], options?: GenerateOptions): AsyncIterable<GenerateStreamPart>;
  /** Readiness probe (`GET {baseURL}/models`, 5 s limit) for `createHealthCheck`. */
  ping(options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * A {@link LanguageModel} over the OpenAI chat completions API (`POST {baseURL}/chat/completions`),
 * which OpenAI, Ollama, vLLM, LM Studio and llama.cpp / llama-cpp-python servers speak.
 *
 * `stream` sends `stream: true` and reads the server-sent events: each `choices[0].delta.content`
 * becomes a `text-delta` part; the stream ends at `data: [DONE]` (or the end of the body after a
 * `finish_reason`), then one `finish` part carries the finish reason and, when the server sent
 * one, the usage (see `streamUsage`). A stream that ends with neither `[DONE]` nor a finish reason
 * is an error (ServiceError), never a silently truncated answer.
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

  const requestBody = (messages: ChatMessage[], opts: GenerateOptions) => {
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
    return body;
  };

  return {
    modelId: options.model,
    ping: (opts = {}) => pingOpenAICompatible(options, { service: "llm", signal: opts.signal }),
    async *stream(messages: ChatMessage[], opts: GenerateOptions = {}): AsyncGenerator<GenerateStreamPart> {
      const body: Record<string, unknown> = { ...requestBody(messages, opts), stream: true };
      if (options.streamUsage) body.stream_options = { include_usage: true };
      let finishReason: string | undefined;
      let usage: GenerateResult["usage"];
      let complete = false;
      const events = postEventStream(options, "/chat/completions", body, {
        service: "llm",
        timeoutMs: opts.timeoutMs ?? defaultTimeout,
        signal: opts.signal,
      });
      for await (const data of events) {
        if (data === "[DONE]") {
          complete = true;
          break;
        }
        let chunk: ChatCompletionChunk;
        try {
          chunk = JSON.parse(data) as ChatCompletionChunk;
        } catch (cause) {
          throw new ServiceError("llm", `a stream event is not JSON: ${data.slice(0, 200)}`, {
            retryable: false,
            cause,
          });
        }
        if (chunk.error) {
          const message = typeof chunk.error === "string" ? chunk.error : chunk.error.message;
          throw new ServiceError("llm", `the server reported an error mid-stream: ${message}`, {
            retryable: false,
          });
        }
        if (chunk.usage) usage = toUsage(chunk.usage);
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content;
        if (text) yield { type: "text-delta", text };
        if (choice?.finish_reason) finishReason = choice.finish_reason;
      }
      if (!complete && finishReason === undefined) {
        throw new ServiceError("llm", "the stream ended before a finish reason or [DONE]", {
          retryable: false,
        });
      }
      yield { type: "finish", finishReason, usage };
    },
    async generate(messages: ChatMessage[], opts: GenerateOptions = {}): Promise<GenerateResult> {
      const body = requestBody(messages, opts);
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
        usage: reply.usage ? toUsage(reply.usage) : undefined,
      };
    },
  };
}
