import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { DocumentInterface } from "@langchain/core/documents";
import type { BaseMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableLambda, RunnablePassthrough, RunnableSequence } from "@langchain/core/runnables";
import { ChatOpenAI } from "@langchain/openai";
import { AbortError, F, type HybridRetriever } from "@ragloom/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLM_MODEL_ID, type ServiceHandle, startLlmServer, stopAllServices } from "../../../test/services.js";
import { toLangChainRetriever } from "../src/index.js";
import { corpusRetriever } from "./fixtures.js";

/** Records the retriever runs and the prompts sent to the chat model. */
class ChainRecorder extends BaseCallbackHandler {
  name = "chain-recorder";
  override awaitHandlers = true;
  retrieverStarts: Array<{ query: string; runId: string; parentRunId?: string }> = [];
  retrieved: DocumentInterface[][] = [];
  retrieverErrors: unknown[] = [];
  prompts: BaseMessage[][] = [];
  constructor(private readonly abortOnRetrieverStart?: AbortController) {
    super();
  }
  override async handleRetrieverStart(_r: unknown, query: string, runId: string, parentRunId?: string) {
    this.retrieverStarts.push({ query, runId, parentRunId });
    this.abortOnRetrieverStart?.abort();
  }
  override async handleRetrieverError(error: unknown) {
    this.retrieverErrors.push(error);
  }
  override async handleRetrieverEnd(documents: DocumentInterface[]) {
    this.retrieved.push(documents);
  }
  override async handleChatModelStart(_llm: unknown, messages: BaseMessage[][]) {
    this.prompts.push(...messages);
  }
}

const formatDocs = (docs: DocumentInterface[]) =>
  docs.map((d) => `[${d.metadata.parentId}] ${d.pageContent}`).join("\n");

describe("an LCEL chain retrieving through ragloom into a real chat model (llama-cpp-python, SmolLM2-135M)", () => {
  let llm: ServiceHandle;
  let ragloom: HybridRetriever;
  beforeAll(async () => {
    [llm, ragloom] = await Promise.all([startLlmServer(), corpusRetriever({ k: 4 })]);
  });
  afterAll(stopAllServices);

  const prompt = ChatPromptTemplate.fromMessages([
    ["system", "Answer the question using only this context:\n{context}"],
    ["human", "{question}"],
  ]);
  const model = () =>
    new ChatOpenAI({
      model: LLM_MODEL_ID,
      apiKey: "not-needed",
      configuration: { baseURL: llm.url },
      maxTokens: 24,
      temperature: 0,
      maxRetries: 0,
    });

  it("RunnableSequence: retriever | formatDocs -> prompt -> ChatOpenAI -> string, with k and filter from the chain's config", async () => {
    const retriever = toLangChainRetriever(ragloom, { k: 3 });
    const chain = RunnableSequence.from([
      { context: retriever.pipe(formatDocs), question: new RunnablePassthrough() },
      prompt,
      model(),
      new StringOutputParser(),
    ]);
    const recorder = new ChainRecorder();
    const question = "How should I retry a failed request?";
    const answer = await chain.invoke(question, {
      callbacks: [recorder],
      configurable: { ragloom: { k: 2, filter: F.eq("lang", "en") } },
    });

    expect(typeof answer).toBe("string");
    expect(answer.trim().length).toBeGreaterThan(0);

    expect(recorder.retrieverStarts).toHaveLength(1);
    expect(recorder.retrieverStarts[0]).toMatchObject({ query: question, parentRunId: expect.any(String) });
    const [docs] = recorder.retrieved;
    expect(docs).toHaveLength(2);
    for (const d of docs!) expect(d.metadata.lang).toBe("en");

    // the prompt the model saw holds the retrieved context and the question
    expect(recorder.prompts).toHaveLength(1);
    const [system, human] = recorder.prompts[0]!;
    expect(system!.content).toContain(formatDocs(docs!));
    expect(human!.content).toBe(question);
  });

  it(".pipe chain with the chain's signal: aborting once retrieval starts stops it in the retriever, before the model", async () => {
    const retriever = toLangChainRetriever(ragloom);
    const question = RunnableLambda.from((input: { question: string }) => input.question);
    const chain = RunnablePassthrough.assign({ context: question.pipe(retriever).pipe(formatDocs) })
      .pipe(prompt)
      .pipe(model())
      .pipe(new StringOutputParser());
    const controller = new AbortController();
    const aborting = new ChainRecorder(controller);
    await expect(
      chain.invoke(
        { question: "What does BM25 rank by?" },
        { signal: controller.signal, callbacks: [aborting] },
      ),
    ).rejects.toThrow(/abort/i);
    expect(aborting.retrieverStarts).toHaveLength(1);
    expect(aborting.retrieverErrors).toHaveLength(1);
    expect(aborting.retrieverErrors[0]).toBeInstanceOf(AbortError);
    expect(aborting.prompts).toHaveLength(0);

    const recorder = new ChainRecorder();

    const answer = await chain.invoke({ question: "What does BM25 rank by?" }, { callbacks: [recorder] });
    expect(typeof answer).toBe("string");
    expect(recorder.retrieved.at(-1)!.length).toBe(4);
    expect(recorder.prompts).toHaveLength(1);
  });
});
