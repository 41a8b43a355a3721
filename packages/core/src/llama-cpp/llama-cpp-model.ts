import { basename } from "node:path";
import type { ChatHistoryItem, Llama, LlamaGrammar, LlamaModel } from "node-llama-cpp";
import { AbortError, ServiceError, TimeoutError, ValidationError } from "../errors/errors.js";
import type {
  ChatMessage,
  GenerateOptions,
  GenerateResult,
  GenerateStreamPart,
  LanguageModel,
} from "../types/language-model.js";

type NodeLlamaCpp = typeof import("node-llama-cpp");

/** Options of {@link createLlamaCppModel}. */
export interface LlamaCppModelOptions {
  /** Path of a GGUF model file (e.g. `SmolLM2-135M-Instruct.Q4_1.gguf`). */
  modelPath: string;
  /** `modelId` reported by the model. @default the file name without `.gguf` */
  modelId?: string;
  /** Context window in tokens (prompt + completion). @default 4096 (or the model's training context if smaller) */
  contextSize?: number;
  /**
   * CPU threads of evaluation. On a machine whose cores are busy with other work, 1 is much faster
   * than more (threads wait for each other). @default node-llama-cpp's default (all cores)
   */
  threads?: number;
  /** GPU back-end, or `false` for CPU only. @default false */
  gpu?: false | "auto" | "cuda" | "vulkan" | "metal";
  /**
   * Whether node-llama-cpp may compile llama.cpp when no prebuilt binary fits: `never` uses the
   * prebuilt binaries of `@node-llama-cpp/<platform>` only and fails clearly otherwise. @default "never"
   */
  build?: "never" | "auto" | "try";
  /** Default `maxTokens` of a call. @default 512 */
  maxTokens?: number;
  /** Default sampling temperature; 0 is greedy. @default 0 */
  temperature?: number;
  /** Sampling seed (with temperature > 0). @default none (random) */
  seed?: number;
  /** A running `Llama` instance to reuse (from `getLlama()`); it is not disposed by `dispose()`. @default a new one */
  llama?: Llama;
  /** Loads the `node-llama-cpp` module (injectable). @default `() => import("node-llama-cpp")` */
  load?: () => Promise<NodeLlamaCpp>;
}

/** The model returned by {@link createLlamaCppModel}. */
export interface LlamaCppModel extends LanguageModel {
  /** Streams tokens as text deltas, then one `finish` part with exact token counts. */
  stream(messages: ChatMessage[], options?: GenerateOptions): AsyncIterable<GenerateStreamPart>;
  /** Tokens of `text` with the model's own tokenizer (no special tokens). */
  countTokens(text: string): number;
  /** The context window in tokens. */
  readonly contextSize: number;
  /** Frees the context and the model (and the `Llama` instance when this adapter created it). */
  dispose(): Promise<void>;
}

async function loadModule(load: () => Promise<NodeLlamaCpp>): Promise<NodeLlamaCpp> {
  try {
    return await load();
  } catch (cause) {
    throw new ServiceError(
      "llm",
      "install the optional peer dependency node-llama-cpp (npm install --omit=optional node-llama-cpp @node-llama-cpp/<platform>)",
      { retryable: false, cause },
    );
  }
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ValidationError("messages must be a non-empty array");
  }
  const history: ChatHistoryItem[] = messages.map((m) => {
    if (typeof m?.content !== "string") throw new ValidationError("every message needs a string content");
    if (m.role === "system") return { type: "system", text: m.content };
    if (m.role === "user") return { type: "user", text: m.content };
    if (m.role === "assistant") return { type: "model", response: [m.content] };
    throw new ValidationError(`unknown message role ${JSON.stringify((m as ChatMessage).role)}`);
  });
  // a trailing assistant message is continued (prefill); otherwise the model answers anew
  if (history.at(-1)!.type !== "model") history.push({ type: "model", response: [] });
  return history;
}

const FINISH: Record<string, string> = {
  eogToken: "stop",
  stopGenerationTrigger: "stop",
  customStopTrigger: "stop",
  maxTokens: "length",
  functionCalls: "tool-calls",
};

/**
 * A {@link LanguageModel} that runs a GGUF model in process with `node-llama-cpp` (llama.cpp
 * bindings; an optional peer dependency, imported on the first call of this function). CPU only
 * and never compiling by default: it uses the prebuilt binary of `@node-llama-cpp/<platform>`.
 *
 * The chat template is the one the GGUF declares (ChatML for SmolLM2, Llama 3, ...), applied by
 * node-llama-cpp. `json: { schema }` is enforced by a GBNF grammar compiled from the JSON Schema
 * (`createGrammarForJsonSchema`, which supports a subset of JSON Schema), `json: true` by a JSON
 * grammar. Calls run one at a time on one context sequence (later calls wait their turn); a prompt
 * that does not fit `contextSize` with its `maxTokens` is refused instead of silently shifted.
 * @returns a model whose `generate` and `stream` report exact prompt and completion token counts.
 * @throws ServiceError when node-llama-cpp is not installed or the model cannot be loaded;
 *   ValidationError for a missing `modelPath`. Calls throw ValidationError (empty messages, prompt
 *   too long, unsupported schema), AbortError, TimeoutError (`timeoutMs`).
 * @example
 * const llm = await createLlamaCppModel({ modelPath: "SmolLM2-135M-Instruct.Q4_1.gguf", threads: 1 });
 * for await (const part of llm.stream([{ role: "user", content: "Hi" }], { maxTokens: 32 }))
 *   if (part.type === "text-delta") process.stdout.write(part.text);
 * await llm.dispose();
 */
export async function createLlamaCppModel(options: LlamaCppModelOptions): Promise<LlamaCppModel> {
  if (!options?.modelPath || typeof options.modelPath !== "string") {
    throw new ValidationError("modelPath (a GGUF file) is required");
  }
  const lib = await loadModule(options.load ?? (() => import("node-llama-cpp")));
  const ownsLlama = !options.llama;
  let llama: Llama;
  let model: LlamaModel;
  try {
    llama =
      options.llama ??
      (await lib.getLlama({
        gpu: options.gpu ?? false,
        build: options.build ?? "never",
        logLevel: lib.LlamaLogLevel.error,
        progressLogs: false,
      }));
    model = await llama.loadModel({ modelPath: options.modelPath });
  } catch (cause) {
    throw new ServiceError("llm", `could not load ${options.modelPath}: ${(cause as Error).message}`, {
      retryable: false,
      cause,
    });
  }
  const wanted = options.contextSize ?? 4096;
  const context = await model.createContext({
    contextSize: Math.min(wanted, model.trainContextSize || wanted),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  const sequence = context.getSequence();
  const chat = new lib.LlamaChat({ contextSequence: sequence });
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  const grammarFor = (json: GenerateOptions["json"]) => {
    if (!json) return undefined;
    const key = json === true ? "json" : JSON.stringify(json.schema);
    let g = grammars.get(key);
    if (!g) {
      g = (
        json === true
          ? llama.getGrammarFor("json")
          : llama.createGrammarForJsonSchema(
              json.schema as Parameters<Llama["createGrammarForJsonSchema"]>[0],
            )
      ).catch((cause: unknown) => {
        grammars.delete(key);
        throw new ValidationError(`unsupported JSON schema: ${(cause as Error).message}`, { cause });
      });
      if (grammars.size >= 64) grammars.delete(grammars.keys().next().value as string);
      grammars.set(key, g);
    }
    return g;
  };
  const countTokens = (text: string) => model.tokenize(text, false).length;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  const run = (
    messages: ChatMessage[],
    opts: GenerateOptions,
    onText: ((text: string) => void) | undefined,
  ): Promise<GenerateResult> => {
    const history = toHistory(messages);
    const maxTokens = opts.maxTokens ?? options.maxTokens ?? 512;
    if (!Number.isInteger(maxTokens) || maxTokens < 1) {
      throw new ValidationError(`maxTokens must be an integer >= 1, got ${maxTokens}`);
    }
    const controller = new AbortController();
    const reason = () => controller.signal.reason as Error;
    const onAbort = () => {
      const r: unknown = opts.signal?.reason;
      controller.abort(r instanceof Error && r.name !== "AbortError" ? r : new AbortError());
    };
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const timer =
      opts.timeoutMs && opts.timeoutMs > 0
        ? setTimeout(
            () => controller.abort(new TimeoutError("llm (llama.cpp)", opts.timeoutMs!)),
            opts.timeoutMs,
          )
        : undefined;
    const release = () => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    return serial(async () => {
      try {
        if (controller.signal.aborted) throw reason();
        const grammar = await grammarFor(opts.json);
        const prompt = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText;
        const promptTokens = prompt.tokenize(model.tokenizer).length;
        if (promptTokens + maxTokens > context.contextSize) {
          throw new ValidationError(
            `the prompt (${promptTokens} tokens) plus maxTokens (${maxTokens}) exceeds the context size (${context.contextSize})`,
          );
        }
        const before = sequence.tokenMeter.getState();
        const res = await chat.generateResponse(history, {
          maxTokens,
          temperature: opts.temperature ?? options.temperature ?? 0,
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(grammar ? { grammar } : {}),
          signal: controller.signal,
          stopOnAbortSignal: false,
          onTextChunk: onText,
        });
        if (controller.signal.aborted) throw reason();
        const used = lib.TokenMeter.diff(sequence.tokenMeter, before);
        const stop = res.metadata.stopReason;
        return {
          text: res.response,
          finishReason: FINISH[stop] ?? stop,
          usage: { promptTokens, completionTokens: used.usedOutputTokens },
        };
      } catch (error) {
        if (controller.signal.aborted) throw reason();
        if (error instanceof ValidationError) throw error;
        throw new ServiceError("llm", `llama.cpp generation failed: ${(error as Error).message}`, {
          retryable: false,
          cause: error,
        });
      } finally {
        release();
      }
    });
  };

  return {
    modelId: options.modelId ?? basename(options.modelPath).replace(/\.gguf$/i, ""),
    contextSize: context.contextSize,
    countTokens,
    generate: async (messages, opts = {}) => run(messages, opts, undefined),
    stream(messages, opts = {}) {
      // parts flow through a web ReadableStream: its async iterator cancels the stream (and so the
      // generation) when the reader stops early
      const reader = new AbortController();
      const parts = new ReadableStream<GenerateStreamPart>({
        start(ctrl) {
          const signal = opts.signal ? AbortSignal.any([opts.signal, reader.signal]) : reader.signal;
          run(messages, { ...opts, signal }, (text) => {
            if (text) ctrl.enqueue({ type: "text-delta", text });
          }).then(
            (r) => {
              ctrl.enqueue({ type: "finish", finishReason: r.finishReason, usage: r.usage });
              ctrl.close();
            },
            (error: unknown) => {
              if (!reader.signal.aborted) ctrl.error(error);
            },
          );
        },
        cancel() {
          reader.abort(new AbortError("the stream was closed by its reader"));
        },
      });
      return parts;
    },
    async dispose() {
      await queue;
      await context.dispose();
      await model.dispose();
      if (ownsLlama) await llama.dispose();
    },
  };
}
