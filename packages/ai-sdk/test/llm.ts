import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { LLM_MODEL_ID } from "../../../test/services.js";

/** One chat/completions request as the server received it (parsed JSON body). */
export interface RecordedRequest {
  messages: Array<{ role: string; content?: unknown; tool_call_id?: string; tool_calls?: unknown[] }>;
  tools?: Array<{ type: string; function: { name: string; parameters: unknown } }>;
  tool_choice?: unknown;
  stream?: boolean;
}

/**
 * llama-cpp-python's server refuses an assistant message whose `content` is `null` (OpenAI's API
 * allows it, and the provider sends it with tool calls), and the model's chat template needs a
 * string there: send `""` instead.
 */
export function emptyNullContent(body: Record<string, unknown>): Record<string, unknown> {
  const messages = body.messages as Array<Record<string, unknown>> | undefined;
  if (!messages) return body;
  return {
    ...body,
    messages: messages.map((m) => (m.content === null ? { ...m, content: "" } : m)),
  };
}

/**
 * The AI SDK model for the local llama-cpp-python server (`@ai-sdk/openai-compatible`, with
 * {@link emptyNullContent}), with a `fetch` that records every request body it sends (requests go
 * to the real server unchanged).
 */
export function serverModel(baseURL: string): {
  model: ReturnType<ReturnType<typeof createOpenAICompatible>["chatModel"]>;
  requests: RecordedRequest[];
} {
  const requests: RecordedRequest[] = [];
  const provider = createOpenAICompatible({
    name: "llama-cpp",
    baseURL,
    transformRequestBody: emptyNullContent,
    fetch: async (input, init) => {
      if (typeof init?.body === "string") requests.push(JSON.parse(init.body) as RecordedRequest);
      return fetch(input, init);
    },
  });
  return { model: provider.chatModel(LLM_MODEL_ID), requests };
}
