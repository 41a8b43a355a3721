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
 * The AI SDK model for the local llama-cpp-python server (`@ai-sdk/openai-compatible`), with a
 * `fetch` that records every request body it sends (requests go to the real server unchanged).
 */
export function serverModel(baseURL: string) {
  const requests: RecordedRequest[] = [];
  const provider = createOpenAICompatible({
    name: "llama-cpp",
    baseURL,
    fetch: async (input, init) => {
      if (typeof init?.body === "string") requests.push(JSON.parse(init.body) as RecordedRequest);
      return fetch(input, init);
    },
  });
  return { model: provider.chatModel(LLM_MODEL_ID), requests };
}
