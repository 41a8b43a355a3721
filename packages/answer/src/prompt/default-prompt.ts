import type { ChatPromptContent } from "@ragloom/prompts";

/** A built-in prompt: a name, a version and chat content (mustache). */
export interface BuiltInPrompt {
  name: string;
  version: number;
  content: ChatPromptContent;
}

/** The sentence the built-in prompts ask for when the sources do not answer the question. */
export const NO_ANSWER = "I don't know.";

/**
 * The default RAG prompt, version 1: short on purpose, so that even a 135M-parameter chat model
 * follows it. Variables: `question`, `context` (the numbered source blocks), and optionally
 * `sources` (`{ n, id, title, text }` items, for templates that lay sources out themselves).
 */
export const DEFAULT_ANSWER_PROMPT: BuiltInPrompt = {
  name: "ragloom-answer",
  version: 1,
  content: {
    type: "chat",
    inputVariables: ["question", "context"],
    optionalVariables: ["sources"],
    messages: [
      {
        role: "system",
        content: `Answer the question using only the numbered sources. Cite the source of each sentence with its number in brackets, like [1]. If the sources do not contain the answer, reply only: ${NO_ANSWER}`,
      },
      { role: "user", content: "Sources:\n\n{{context}}\n\nQuestion: {{question}}" },
    ],
  },
};

/** The default prompt of `quotes: true`, version 1: each claim quotes its source, then cites it. */
export const DEFAULT_QUOTES_PROMPT: BuiltInPrompt = {
  name: "ragloom-answer-quotes",
  version: 1,
  content: {
    type: "chat",
    inputVariables: ["question", "context"],
    optionalVariables: ["sources"],
    messages: [
      {
        role: "system",
        content: `Answer the question using only the numbered sources. Support each claim with a short exact quote from a source in double quotes, followed by the source number, like: "exact words" [1]. If the sources do not contain the answer, reply only: ${NO_ANSWER}`,
      },
      { role: "user", content: "Sources:\n\n{{context}}\n\nQuestion: {{question}}" },
    ],
  },
};

/**
 * The default prompt of `citationFormat: "json"`, version 1: the answer and its citations as one
 * JSON object (the schema is also enforced as a grammar where the model supports it, see
 * `jsonAnswerSchema`). With no answer in the sources, `answer` is the no-answer sentence.
 */
export const DEFAULT_JSON_PROMPT: BuiltInPrompt = {
  name: "ragloom-answer-json",
  version: 1,
  content: {
    type: "chat",
    inputVariables: ["question", "context"],
    optionalVariables: ["sources"],
    messages: [
      {
        role: "system",
        content: `Answer the question using only the numbered sources. Reply with JSON: {"answer": "your answer", "citations": [{"source": 1, "quote": "exact words copied from source 1"}]}. Cite every source you used, each with a short exact quote from it. If the sources do not contain the answer, the answer is: ${NO_ANSWER}`,
      },
      { role: "user", content: "Sources:\n\n{{context}}\n\nQuestion: {{question}}" },
    ],
  },
};
