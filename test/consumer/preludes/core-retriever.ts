// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README block this prelude is prepended to uses its names
// Prelude of packages/core README blocks that continue the quick start without imports of their
// own: createRetriever, an embedder, a store, a retriever and documents to add.
import { createRetriever, InMemoryVectorStore as PreludeStore } from "@ragloom/core";
import { createTransformersEmbedder as preludeEmbedder } from "@ragloom/core/transformers";

const embedder = await preludeEmbedder();
const store = new PreludeStore({ dimensions: embedder.dimensions });
const retriever = createRetriever({ embedder, store, lexical: true });
const docs = [{ id: "retry", text: "Retry failed calls with exponential backoff and jitter.", metadata: {} }];
