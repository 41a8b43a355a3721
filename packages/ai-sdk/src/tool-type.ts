import type { Tool } from "ai";

/** Options of a direct `execute` call; inside `generateText` the AI SDK passes its own (with more fields). */
export interface ExecuteOptions {
  /** Aborts the call; `execute` then rejects with the signal's reason (an `AbortError` by default). */
  abortSignal?: AbortSignal;
}

/**
 * A tool of this package: an AI SDK `Tool` whose `execute` is always there, resolves to the output
 * (never a stream) and can be called directly (`await tool.execute(input)`), e.g. in tests.
 */
export type RagloomTool<INPUT, OUTPUT> = {
  execute(input: INPUT, options?: ExecuteOptions): Promise<OUTPUT>;
} & Tool<INPUT, OUTPUT>;
