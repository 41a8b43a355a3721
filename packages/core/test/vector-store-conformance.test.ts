import { afterAll, beforeAll } from "vitest";
import { type ServiceHandle, startChroma, stopAllServices } from "../../../test/services.js";
import { createChromaVectorStore } from "../src/chroma.js";
import { InMemoryVectorStore } from "../src/index.js";
import { runVectorStoreConformance } from "./vector-store-conformance.js";

let chroma: ServiceHandle;
let n = 0;
beforeAll(async () => {
  chroma = await startChroma();
});
afterAll(stopAllServices);

runVectorStoreConformance("InMemoryVectorStore", async () => new InMemoryVectorStore({ dimensions: 4 }));
runVectorStoreConformance(
  "InMemoryVectorStore (rows in segments of 2)",
  async () => new InMemoryVectorStore({ dimensions: 4, segmentRows: 2, initialCapacity: 1 }),
);
runVectorStoreConformance("ChromaVectorStore (real Chroma server)", async () =>
  createChromaVectorStore({
    url: chroma.url,
    collection: `conformance_${process.pid}_${n++}`,
    dimensions: 4,
  }),
);
