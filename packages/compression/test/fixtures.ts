import type { Document, Embedder } from "@ragloom/core";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import { requireModelDir } from "../../../test/services.js";

/** The real all-MiniLM-L6-v2 (int8, offline) from the local model folder. */
export async function loadEmbedder() {
  return createTransformersEmbedder({ localModelPath: requireModelDir(), offline: true, dtype: "q8" });
}

/** Wraps a real embedder to count how many texts it embeds (no behaviour change). */
export function countingEmbedder(inner: Embedder) {
  const calls = { documents: 0, queries: 0 };
  const embedder: Embedder = {
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    normalized: inner.normalized,
    embedDocuments: (texts, o) => {
      calls.documents += texts.length;
      return inner.embedDocuments(texts, o);
    },
    embedQuery: (text, o) => {
      calls.queries++;
      return inner.embedQuery(text, o);
    },
    countTokens: inner.countTokens?.bind(inner),
  };
  return { embedder, calls };
}

export const QUERY = "How tall is the Eiffel Tower?";

/** Three documents: on topic, mixed, off topic. */
export const DOCS: Array<Document & { score: number }> = [
  {
    id: "eiffel",
    score: 0.9,
    metadata: { source: "wiki", year: 2020 },
    text:
      "The Eiffel Tower is a wrought-iron lattice tower in Paris. It was designed by the engineering company of Gustave Eiffel. " +
      "The tower is 330 metres tall, about the height of an 81-storey building. Bananas are rich in potassium.",
  },
  {
    id: "paris",
    score: 0.7,
    metadata: { source: "guide", year: 2021 },
    text:
      "Paris is the capital of France. The city hosts many museums, including the Louvre. " +
      "Visitors can climb the Eiffel Tower, whose height reaches 330 metres with antennas.",
  },
  {
    id: "fruit",
    score: 0.2,
    metadata: { source: "food", year: 2019 },
    text: "Apples grow on trees in temperate climates. Oranges are citrus fruits. Grapes are used to make wine.",
  },
];

/** Sentences of `text` as the default splitter sees them. */
export function sentencesOf(text: string): string[] {
  return [...new Intl.Segmenter("en", { granularity: "sentence" }).segment(text)]
    .map((s) => s.segment.trim())
    .filter(Boolean);
}

/** True when every sentence of `compressed` is a sentence of `original`, in the same relative order. */
export function isOrderedSubset(original: string, compressed: string): boolean {
  const orig = sentencesOf(original);
  let at = 0;
  for (const s of sentencesOf(compressed)) {
    const j = orig.indexOf(s, at);
    if (j < 0) return false;
    at = j + 1;
  }
  return true;
}
