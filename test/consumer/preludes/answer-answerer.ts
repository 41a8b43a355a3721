// biome-ignore-all lint/correctness/noUnusedVariables: the README block this prelude is prepended to uses its names
// Prelude of the web-handler block of packages/answer: an `answerer` as built in the blocks above.
import { createAnswerer as preludeAnswerer } from "@ragloom/answer";
import {
  BM25Index as PreludeBM25Index,
  type Retriever as PreludeRetriever,
  createOpenAICompatibleModel as preludeModel,
} from "@ragloom/core";

const preludeIndex = new PreludeBM25Index();
preludeIndex.add([{ id: "retry", text: "Retry with exponential backoff.", metadata: { title: "Retries" } }]);
const preludeRetriever: PreludeRetriever = {
  retrieve: async (query, options) => ({
    documents: preludeIndex.search(query, { k: options?.k ?? 4 }),
    timings: {},
  }),
};
const answerer = preludeAnswerer({
  retriever: preludeRetriever,
  model: preludeModel({ baseURL: "http://llm.invalid/v1", model: "any" }), // never called
});
