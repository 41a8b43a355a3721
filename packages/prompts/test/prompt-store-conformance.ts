import { ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { hashContent, type PromptContent, type PromptStore, type PublishRequest } from "../src/index.js";

const text = (template: string): PromptContent => ({ type: "text", template });

export function request(
  name: string,
  content: PromptContent,
  extra: Partial<PublishRequest> = {},
): PublishRequest {
  return {
    name,
    content,
    hash: hashContent(content),
    author: "ada@example.com",
    message: "msg",
    createdAt: "2026-01-01T00:00:00.000Z",
    labels: [],
    ...extra,
  };
}

/** The behaviour every PromptStore must have; `make` returns a fresh, empty store. */
export function runPromptStoreConformance(label: string, make: () => Promise<PromptStore>) {
  describe(`PromptStore conformance: ${label}`, () => {
    it("numbers versions 1..N, keeps metadata, and makes identical content a no-op", async () => {
      const store = await make();
      expect(await store.head("qa")).toBeUndefined();
      expect(await store.versions("qa")).toEqual([]);
      const r1 = await store.publish(request("qa", text("v1 {{q}}"), { author: "a", message: "first" }));
      expect(r1.created).toBe(true);
      expect(r1.version).toMatchObject({ name: "qa", version: 1, author: "a", message: "first" });
      expect(r1.version.hash).toBe(hashContent(text("v1 {{q}}")));
      const r2 = await store.publish(request("qa", text("v2 {{q}}")));
      expect(r2.version.version).toBe(2);
      const same = await store.publish(request("qa", text("v2 {{q}}"), { author: "someone-else" }));
      expect(same.created).toBe(false);
      expect(same.version.version).toBe(2);
      expect(same.version.author).toBe("ada@example.com");
      expect((await store.versions("qa")).map((v) => v.version)).toEqual([1, 2]);
      // content equal to an older version (not the latest) is a new version: a roll-forward
      const r3 = await store.publish(request("qa", text("v1 {{q}}")));
      expect(r3.version.version).toBe(3);
      expect(await store.head("qa")).toEqual({ latest: 3, labels: {} });
      expect(await store.list()).toEqual(["qa"]);
    });

    it("moves labels on publish, by setLabel and deleteLabel; latest follows", async () => {
      const store = await make();
      const r1 = await store.publish(request("p", text("one"), { labels: ["production", "staging"] }));
      expect(r1.labelMoves).toEqual([
        { name: "p", label: "production", from: undefined, to: 1 },
        { name: "p", label: "staging", from: undefined, to: 1 },
      ]);
      const r2 = await store.publish(request("p", text("two"), { labels: ["staging"] }));
      expect(r2.labelMoves).toEqual([{ name: "p", label: "staging", from: 1, to: 2 }]);
      expect((await store.get("p", { label: "production" }))?.version).toBe(1);
      expect((await store.get("p", { label: "staging" }))?.version).toBe(2);
      expect((await store.get("p", { label: "latest" }))?.content).toEqual(text("two"));
      expect((await store.get("p", { version: 1 }))?.content).toEqual(text("one"));
      expect(await store.get("p", { version: 9 })).toBeUndefined();
      expect(await store.get("p", { label: "nope" })).toBeUndefined();
      expect(await store.get("missing", { label: "latest" })).toBeUndefined();
      // no-op publish still moves labels
      const again = await store.publish(request("p", text("two"), { labels: ["production"] }));
      expect(again.created).toBe(false);
      expect(again.labelMoves).toEqual([{ name: "p", label: "production", from: 1, to: 2 }]);
      expect(await store.setLabel("p", "production", 1)).toEqual({
        name: "p",
        label: "production",
        from: 2,
        to: 1,
      });
      expect(await store.setLabel("p", "production", 7)).toBeUndefined();
      expect(await store.setLabel("ghost", "production", 1)).toBeUndefined();
      expect((await store.head("p"))?.labels).toEqual({ production: 1, staging: 2 });
      expect(await store.deleteLabel("p", "staging")).toBe(2);
      expect(await store.deleteLabel("p", "staging")).toBeUndefined();
      expect(await store.head("p")).toEqual({ latest: 2, labels: { production: 1 } });
      await expect(store.setLabel("p", "latest", 1)).rejects.toThrow(ValidationError);
    });

    it("keeps chat content and config exactly, and returns copies", async () => {
      const store = await make();
      const content: PromptContent = {
        type: "chat",
        messages: [
          { role: "system", content: "Line 1\nLine 2: {{x}}\n" },
          { role: "user", content: 'ünïcödé ✓ "quotes" {{{y}}}' },
        ],
        inputVariables: ["x", "y"],
        optionalVariables: [],
        config: { temperature: 0.2, model: "m", stop: [], nested: { a: [1, 2] } },
      };
      await store.publish(request("chat", content));
      const got = await store.get("chat", { version: 1 });
      expect(got?.content).toEqual(content);
      (got!.content as { type: string }).type = "mutated";
      expect((await store.get("chat", { version: 1 }))?.content).toEqual(content);
    });

    it("rejects invalid names and labels", async () => {
      const store = await make();
      await expect(store.publish(request("Bad Name", text("x")))).rejects.toThrow(ValidationError);
      await expect(store.publish(request("../etc", text("x")))).rejects.toThrow(ValidationError);
      await expect(store.publish(request("ok", text("x"), { labels: ["Prod!"] }))).rejects.toThrow(
        ValidationError,
      );
    });

    it("never loses or duplicates a version under concurrent publishes", async () => {
      const store = await make();
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.publish(request("race", text(`content ${i}`)))),
      );
      const numbers = results.map((r) => r.version.version).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      const versions = await store.versions("race");
      expect(versions.map((v) => v.version)).toEqual(numbers);
      expect(new Set(versions.map((v) => v.hash)).size).toBe(25);
    });
  });
}
