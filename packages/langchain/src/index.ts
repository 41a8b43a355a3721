/**
 * `@ragloom/langchain`: LangChain.js adapters for ragloom. Use a ragloom retriever as a LangChain
 * retriever ({@link toLangChainRetriever}), LangChain embeddings as a ragloom embedder and back
 * ({@link fromLangChainEmbeddings}, {@link toLangChainEmbeddings}), and convert documents both
 * ways ({@link toLangChainDocument}, {@link fromLangChainDocument}).
 * @module @ragloom/langchain
 */

export * from "./documents.js";
export * from "./embeddings.js";
export * from "./retriever.js";
