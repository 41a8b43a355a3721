/**
 * The conformance suite every DocStore implementation runs (unstorage-style): the same
 * behaviours asserted against each store. Call inside a test file with a factory that returns
 * a fresh, empty store.
 */
import { type Document, ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { collectKeys, type DocStore } from "../src/index.js";

const doc = (id: string, text = `text of ${id}`, metadata: Document["metadata"] = {}): Document => ({
  id,
  text,
  metadata,
});

export function runDocStoreConformance(name: string, makeStore: () => Promise<DocStore>) {
  describe(`DocStore conformance: ${name}`, () => {
    it("sets and gets in request order, undefined for missing ids", async () => {
      const store = await makeStore();
      await store.mset([doc("a"), doc("b", "bee", { n: 1 })]);
      const got = await store.mget(["b", "missing", "a", "b"]);
      expect(got).toEqual([doc("b", "bee", { n: 1 }), undefined, doc("a"), doc("b", "bee", { n: 1 })]);
      expect(await store.mget([])).toEqual([]);
      await store.mset([]);
    });

    it("replaces by id; within one call the last document wins", async () => {
      const store = await makeStore();
      await store.mset([doc("a", "one", { x: 1 })]);
      await store.mset([doc("a", "two", { y: "z" }), doc("b"), doc("a", "three", { y: "w" })]);
      expect(await store.mget(["a"])).toEqual([doc("a", "three", { y: "w" })]);
      expect((await collectKeys(store)).sort()).toEqual(["a", "b"]);
    });

    it("round-trips text and every metadata type exactly", async () => {
      const store = await makeStore();
      const d = doc("ü/../x y", 'naïve café 🚀\n\ttabs "quotes" \\ backslash', {
        s: "str",
        n: -1.5,
        i: 42,
        b: false,
        ss: ["a", "b"],
        ns: [1, 2.5],
        bs: [true, false],
      });
      await store.mset([d]);
      expect(await store.mget([d.id])).toEqual([d]);
    });

    it("returns copies: mutating a result or an input does not change the store", async () => {
      const store = await makeStore();
      const input = doc("a", "orig", { tags: ["x"] });
      await store.mset([input]);
      input.text = "mutated input";
      (input.metadata.tags as string[]).push("y");
      const [got] = await store.mget(["a"]);
      got!.text = "mutated output";
      got!.metadata.extra = 1;
      expect(await store.mget(["a"])).toEqual([doc("a", "orig", { tags: ["x"] })]);
    });

    it("deletes by id and ignores unknown ids", async () => {
      const store = await makeStore();
      await store.mset([doc("a"), doc("b"), doc("c")]);
      await store.mdelete(["a", "nope", "c"]);
      await store.mdelete([]);
      expect(await store.mget(["a", "b", "c"])).toEqual([undefined, doc("b"), undefined]);
      expect(await collectKeys(store)).toEqual(["b"]);
    });

    it("lists keys by literal prefix, including ids with glob and path characters", async () => {
      const store = await makeStore();
      const ids = ["p:1", "p:2", "p*x", "p?y", "p[z]", "q:1", "..", "P:1", "a\\b", "with space"];
      await store.mset(ids.map((id) => doc(id)));
      expect((await collectKeys(store)).sort()).toEqual([...ids].sort());
      expect((await collectKeys(store, { prefix: "p:" })).sort()).toEqual(["p:1", "p:2"]);
      expect((await collectKeys(store, { prefix: "p*" })).sort()).toEqual(["p*x"]);
      expect((await collectKeys(store, { prefix: "p[" })).sort()).toEqual(["p[z]"]);
      expect((await collectKeys(store, { prefix: "none" })).sort()).toEqual([]);
      // ids differing only in case are different documents
      expect(await store.mget(["p:1", "P:1"])).toEqual([doc("p:1"), doc("P:1")]);
    });

    it("keeps very long ids", async () => {
      const store = await makeStore();
      const long = `doc-${"x".repeat(600)}#é`;
      await store.mset([doc(long, "long one")]);
      expect(await store.mget([long])).toEqual([doc(long, "long one")]);
      expect(await collectKeys(store)).toEqual([long]);
      await store.mdelete([long]);
      expect(await store.mget([long])).toEqual([undefined]);
    });

    it("handles batches larger than one backend command", async () => {
      const store = await makeStore();
      const many = Array.from({ length: 1234 }, (_, i) => doc(`m${i}`, `text ${i}`, { i }));
      await store.mset(many);
      const ids = many.map((d) => d.id);
      expect(await store.mget(ids)).toEqual(many);
      expect((await collectKeys(store, { prefix: "m" })).length).toBe(1234);
      await store.mdelete(ids.slice(0, 1000));
      expect((await collectKeys(store)).length).toBe(234);
    });

    it("rejects empty ids and malformed documents with ValidationError", async () => {
      const store = await makeStore();
      await expect(store.mget([""])).rejects.toBeInstanceOf(ValidationError);
      await expect(store.mset([doc("")])).rejects.toBeInstanceOf(ValidationError);
      await expect(store.mset([{ id: "x" } as Document])).rejects.toBeInstanceOf(ValidationError);
      await expect(store.mdelete([""])).rejects.toBeInstanceOf(ValidationError);
      expect(await collectKeys(store)).toEqual([]);
    });

    it("honours an aborted signal before doing anything", async () => {
      const store = await makeStore();
      const signal = AbortSignal.abort();
      await expect(store.mset([doc("a")], { signal })).rejects.toThrow();
      await expect(store.mget(["a"], { signal })).rejects.toThrow();
      await expect(store.mdelete(["a"], { signal })).rejects.toThrow();
      expect(await store.mget(["a"])).toEqual([undefined]);
    });
  });
}
