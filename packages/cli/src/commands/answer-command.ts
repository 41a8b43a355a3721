import { createOpenAICompatibleModel, ValidationError } from "@ragloom/core";
import { openIndex } from "../index-store.js";
import { emit, type Io } from "../io.js";
import type { PartialSettings, Settings } from "../settings.js";
import { parseFilter } from "./query-command.js";

/** Options of `ragloom answer`. */
export interface AnswerFlags {
  filter?: string;
  maxTokens?: number;
  /** A GGUF model file run in process with node-llama-cpp instead of an HTTP server. */
  llmGguf?: string;
}

/** The answering model: a GGUF file in process, or the OpenAI-compatible server. */
async function loadModel(settings: Settings, flags: AnswerFlags) {
  if (flags.llmGguf) {
    const { createLlamaCppModel } = await import("@ragloom/core/llama-cpp");
    return createLlamaCppModel({ modelPath: flags.llmGguf, contextSize: 2048, threads: 1 });
  }
  return createOpenAICompatibleModel({ baseURL: settings.llmUrl, model: settings.llmModel });
}

/**
 * `ragloom answer "..."`: retrieves from the index and answers with an OpenAI-compatible model
 * (or a local GGUF file) through `@ragloom/answer`, streaming the text, then the numbered
 * sources it cited.
 */
export async function answerCommand(
  question: string,
  flags: AnswerFlags,
  settings: Settings,
  explicit: PartialSettings,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  if (question.trim().length === 0) throw new ValidationError("the question is empty");
  const filter = parseFilter(flags.filter);
  const index = await openIndex(settings, explicit, { create: false });
  try {
    const { createAnswerer } = await import("@ragloom/answer");
    const model = await loadModel(settings, flags);
    const answerer = createAnswerer({
      retriever: index.retriever,
      model,
      k: settings.k,
      ...(flags.maxTokens ? { maxTokens: flags.maxTokens } : {}),
    });
    let streamed = false;
    const write = (t: string) => (io.write ? io.write(t) : io.out(t));
    let answer: Awaited<ReturnType<typeof answerer.answer>>;
    if (io.json) {
      answer = await answerer.answer(question, { filter, signal });
    } else {
      const stream = answerer.answer(question, { stream: true, filter, signal });
      for await (const part of stream) {
        if (part.type === "text-delta") {
          write(part.text);
          streamed = true;
        }
      }
      answer = await stream.result();
      if (streamed) write("\n");
    }
    const cited = new Set(answer.citations.filter((c) => c.valid).map((c) => c.source));
    emit(
      io,
      {
        question,
        text: answer.text,
        grounded: answer.grounded,
        ...(answer.ungroundedReason ? { ungroundedReason: answer.ungroundedReason } : {}),
        citations: answer.citations,
        sources: answer.sources.map((s) => ({
          n: s.n,
          id: s.id,
          title: s.title,
          score: s.score,
          source: s.metadata.source,
        })),
        usage: answer.usage,
        timings: answer.timings,
        modelId: answer.modelId,
      },
      () => [
        ...(streamed ? [] : [answer.text]),
        "",
        ...answer.sources
          .filter((s) => cited.size === 0 || cited.has(s.n))
          .map((s) => {
            const section = s.metadata.section ? ` (${s.metadata.section})` : "";
            return `[${s.n}] ${s.metadata.source ?? s.id}${section}`;
          }),
        ...(answer.grounded ? [] : [`(not grounded: ${answer.ungroundedReason ?? "no valid citation"})`]),
      ],
    );
  } finally {
    await index.close();
  }
}
