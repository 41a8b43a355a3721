import { type Document, ValidationError } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedundancyFilter } from "../src/index.js";
import { DOCS, loadEmbedder, QUERY } from "./fixtures.js";

let embedder: TransformersEmbedder;
beforeAll(async () => {
  embedder = await loadEmbedder();
});
afterAll(async () => {
  await embedder.dispose?.();
});

describe("createRedundancyFilter", () => {
  it("drops near-duplicate documents, keeping the first (best-ranked) copy", async () => {
    const dupe = {
      ...DOCS[0]!,
      id: "eiffel-copy",
      text: DOCS[0]!.text.replace("wrought-iron", "wrought iron"),
    };
    const docs = [DOCS[0]!, DOCS[1]!, dupe, DOCS[2]!];
    const out = await createRedundancyFilter({ embedder, threshold: 0.95 }).compress(docs, QUERY);
    expect(out.map((d) => d.id)).toEqual(["eiffel", "paris", "fruit"]);
  });

  it("drops near-duplicate sentences across documents", async () => {
    const docs: Document[] = [
      { id: "a", metadata: {}, text: "The tower is 330 metres tall. It opened in 1889." },
      {
        id: "b",
        metadata: { k: 1 },
        text: "The tower is 330 meters tall. Gustave Eiffel's company built it.",
      },
      { id: "c", metadata: {}, text: "It opened in 1889." },
    ];
    const out = await createRedundancyFilter({ embedder, level: "sentence", threshold: 0.9 }).compress(
      docs,
      QUERY,
    );
    expect(out.map((d) => d.id)).toEqual(["a", "b"]);
    expect(out[0]).toBe(docs[0]);
    expect(out[1]!.text).toBe("Gustave Eiffel's company built it.");
    expect(out[1]!.metadata).toEqual({ k: 1 });
  });

  it("keeps distinct documents and validates the threshold", async () => {
    const out = await createRedundancyFilter({ embedder }).compress(DOCS, QUERY);
    expect(out).toEqual(DOCS);
    expect(() => createRedundancyFilter({ embedder, threshold: 2 })).toThrow(ValidationError);
  });
});
