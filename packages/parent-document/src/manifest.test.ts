import { describe, expect, it } from "vitest";
import { createInMemoryDocStore } from "./docstores/in-memory-docstore.js";
import { collectKeys } from "./docstores/types.js";
import { contentVersion, emptyManifest, isDirty, MANIFEST_KIND, ManifestStore } from "./manifest.js";

describe("contentVersion", () => {
  const doc = { id: "a", text: "hello", metadata: { x: 1, y: "z" } };
  it("is stable under metadata key order and changes with text, metadata or splitter", () => {
    const v = contentVersion(doc, "fp1");
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(contentVersion({ ...doc, metadata: { y: "z", x: 1 } }, "fp1")).toBe(v);
    expect(contentVersion({ ...doc, text: "hello!" }, "fp1")).not.toBe(v);
    expect(contentVersion({ ...doc, metadata: { x: 2, y: "z" } }, "fp1")).not.toBe(v);
    expect(contentVersion(doc, "fp2")).not.toBe(v);
  });
});

describe("ManifestStore", () => {
  it("round-trips manifests under its prefix and deletes empty ones", async () => {
    const docStore = createInMemoryDocStore();
    const store = new ManifestStore(docStore, "m:");
    const m = {
      ...emptyManifest("doc-1"),
      committed: { version: "v1", parentIds: ["p"], childIds: ["c1", "c2"] },
    };
    await store.putMany([m, emptyManifest("doc-2")]);
    expect(await collectKeys(docStore)).toEqual(["m:doc-1"]);
    expect((await docStore.mget(["m:doc-1"]))[0]!.metadata).toEqual({ kind: MANIFEST_KIND });
    const [got, missing] = await store.getMany(["doc-1", "doc-2"]);
    expect(got).toEqual(m);
    expect(missing).toEqual(emptyManifest("doc-2"));
    expect(isDirty(got!)).toBe(false);
    expect(isDirty({ ...got!, garbage: { parentIds: [], childIds: ["old"] } })).toBe(true);
    const ids: string[] = [];
    for await (const id of store.sourceIds()) ids.push(id);
    expect(ids).toEqual(["doc-1"]);
    await store.putMany([{ ...m, committed: null }]);
    expect(await collectKeys(docStore)).toEqual([]);
  });
});
