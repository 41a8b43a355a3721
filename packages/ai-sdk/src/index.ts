/**
 * `@ragloom/ai-sdk`: ragloom as Vercel AI SDK tools. {@link retrieverTool} turns any ragloom
 * retriever into an `ai` tool the model can call to search (validated zod input: query, `k`,
 * optional filter IR); {@link answerTool} turns a `@ragloom/answer` answerer into one that returns
 * a cited answer with its sources.
 * @module @ragloom/ai-sdk
 */
export * from "./answer-tool.js";
export * from "./compact.js";
export type { ToolInput } from "./input.js";
export * from "./retriever-tool.js";
export type * from "./tool-type.js";
