import type { CallOptions } from "./embedder.js";

/** One chat message. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Options of {@link LanguageModel.generate}. */
export interface GenerateOptions extends CallOptions {
  /** Upper bound on generated tokens. */
  maxTokens?: number;
  /** Sampling temperature; 0 for (near-)deterministic output. */
  temperature?: number;
  /**
   * Ask for JSON output. With a JSON Schema, servers that support schema-constrained
   * decoding (llama.cpp, vLLM, OpenAI) enforce it.
   */
  json?: boolean | { schema: Record<string, unknown> };
  /** Timeout in milliseconds for the whole call. */
  timeoutMs?: number;
}

/** What a model returns. */
export interface GenerateResult {
  text: string;
  /** `stop`, `length`, … as reported by the server. */
  finishReason?: string;
  usage?: { promptTokens?: number; completionTokens?: number };
}

/** One part of a streamed generation: text as it arrives, then exactly one `finish`. */
export type GenerateStreamPart =
  | { type: "text-delta"; text: string }
  | {
      type: "finish";
      /** `stop`, `length`, … as reported by the server. */
      finishReason?: string;
      /** Token counts when the server reported them (many streaming servers do not). */
      usage?: GenerateResult["usage"];
    };

/**
 * The one small interface every LLM-backed component uses: messages in, text out.
 * Adapters: `createOpenAICompatibleModel` (OpenAI, Ollama, vLLM, LM Studio, llama.cpp server),
 * `createLlamaCppModel` (`@ragloom/core/llama-cpp`, in process).
 */
export interface LanguageModel {
  readonly modelId: string;
  generate(messages: ChatMessage[], options?: GenerateOptions): Promise<GenerateResult>;
  /**
   * Streams the generation: `text-delta` parts in order, then one `finish` part. Optional: callers
   * fall back to `generate` when absent. Stopping the iteration early (`break`) cancels the request.
   */
  stream?(messages: ChatMessage[], options?: GenerateOptions): AsyncIterable<GenerateStreamPart>;
  /** Counts tokens of `text` with the model's own tokenizer (optional; used for context budgets). */
  countTokens?(text: string): number;
}
