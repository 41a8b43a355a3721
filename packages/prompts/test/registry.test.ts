import { ServiceError, TimeoutError, ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import {
  createInMemoryPromptStore,
  createPromptClient,
  createPromptEvents,
  createPromptRegistry,
  type PromptEventMap,
  PromptNotFoundError,
  type PromptStore,
  TemplateSyntaxError,
  TemplateVariablesError,
} from "../src/index.js";

function recorder() {
  const events = createPromptEvents();
  const seen: Array<[string, unknown]> = [];
  for (const name of [
    "publish",
    "label:move",
    "cache:hit",
    "cache:miss",
    "cache:refresh-error",
    "fallback",
  ] as const) {
    events.on(name, (p: PromptEventMap[typeof name]) => seen.push([name, p]));
  }
  return { events, seen };
}

const text = (template: string) => ({ type: "text" as const, template });

describe("createPromptRegistry", () => {
  it("publishes versions with metadata, emits events, and fetches by label or version", async () => {
    const { events, seen } = recorder();
    let t = Date.parse("2026-03-01T10:00:00Z");
    const registry = createPromptRegistry({
      store: createInMemoryPromptStore(),
      events,
      now: () => {
        t += 1000;
        return new Date(t);
      },
    });
    const r1 = await registry.publish({
      name: "qa",
      content: text("Answer: {{question}}"),
      author: "ada",
      message: "first",
      labels: ["production"],
    });
    expect(r1.version).toMatchObject({
      version: 1,
      author: "ada",
      message: "first",
      createdAt: "2026-03-01T10:00:01.000Z",
    });
    expect(seen).toEqual([
      [
        "publish",
        { name: "qa", version: 1, hash: r1.version.hash, created: true, author: "ada", message: "first" },
      ],
      ["label:move", { name: "qa", label: "production", from: undefined, to: 1, reason: "publish" }],
    ]);
    await registry.publish({
      name: "qa",
      content: text("Answer briefly: {{question}}"),
      labels: ["staging"],
    });
    const prod = await registry.get("qa");
    expect(prod).toMatchObject({ version: 1, ref: { label: "production" }, source: "store" });
    expect(prod.format({ question: "why?" })).toBe("Answer: why?");
    expect((await registry.get("qa", "staging")).version).toBe(2);
    expect((await registry.get("qa", "latest")).version).toBe(2);
    expect((await registry.get("qa", 1)).template.inputVariables).toEqual(["question"]);
    expect((await registry.get("qa", { version: 2 })).toMessages({ question: "x" })).toEqual([
      { role: "user", content: "Answer briefly: x" },
    ]);
    // identical content: no new version
    seen.length = 0;
    const same = await registry.publish({ name: "qa", content: text("Answer briefly: {{question}}") });
    expect(same.created).toBe(false);
    expect(seen).toEqual([["publish", expect.objectContaining({ version: 2, created: false })]]);
    expect((await registry.history("qa")).length).toBe(2);
  });

  it("promotes, rolls back by moving labels, and keeps history with labels", async () => {
    const { events, seen } = recorder();
    const registry = createPromptRegistry({ store: createInMemoryPromptStore(), events });
    for (let i = 1; i <= 3; i++) {
      await registry.publish({
        name: "p",
        content: text(`v${i} {{x}}`),
        labels: ["production"],
        message: `m${i}`,
      });
    }
    expect((await registry.get("p")).version).toBe(3);
    seen.length = 0;
    const back = await registry.rollback("p");
    expect(back).toEqual({ name: "p", label: "production", from: 3, to: 2 });
    expect(seen).toEqual([
      ["label:move", { name: "p", label: "production", from: 3, to: 2, reason: "rollback" }],
    ]);
    expect((await registry.get("p")).format({ x: "!" })).toBe("v2 !");
    await registry.rollback("p", { to: 1 });
    await expect(registry.rollback("p")).rejects.toThrow(PromptNotFoundError);
    await registry.setLabel("p", "production", 3); // roll forward
    await registry.setLabel("p", "canary", 2);
    const history = await registry.history("p");
    expect(history.map((h) => [h.version, h.labels, h.message])).toEqual([
      [3, ["latest", "production"], "m3"],
      [2, ["canary"], "m2"],
      [1, [], "m1"],
    ]);
    expect(await registry.deleteLabel("p", "canary")).toBe(2);
    await expect(registry.get("p", "canary")).rejects.toThrow(PromptNotFoundError);
    await expect(registry.setLabel("p", "production", 99)).rejects.toThrow(PromptNotFoundError);
    await expect(registry.setLabel("p", "latest", 1)).rejects.toThrow(ValidationError);
    await expect(registry.get("nope")).rejects.toThrow(/prompt "nope" does not exist/);
    await expect(registry.get("p", 42)).rejects.toThrow(/has no version 42/);
    expect(await registry.list()).toEqual(["p"]);
  });

  it("diffs two versions line by line", async () => {
    const registry = createPromptRegistry({ store: createInMemoryPromptStore() });
    await registry.publish({
      name: "chat",
      content: {
        type: "chat",
        messages: [
          { role: "system", content: "You are helpful.\nCite sources." },
          { role: "user", content: "{{question}}" },
        ],
      },
      labels: ["production"],
    });
    await registry.publish({
      name: "chat",
      content: {
        type: "chat",
        messages: [
          { role: "system", content: "You are concise.\nCite sources." },
          { role: "user", content: "{{question}}" },
        ],
        config: { temperature: 0 },
      },
    });
    const d = await registry.diff("chat", "production", "latest");
    expect(d).toMatchObject({ name: "chat", from: 1, to: 2, identical: false });
    expect(d.patch).toContain("--- chat@v1");
    expect(d.patch).toContain("+++ chat@v2");
    expect(d.patch).toContain("-      You are helpful.");
    expect(d.patch).toContain("+      You are concise.");
    expect(d.patch).toContain("+config:");
    expect(d.added).toBe(3);
    expect(d.removed).toBe(1);
    expect((await registry.diff("chat", 1, 1)).identical).toBe(true);
  });

  it("refuses broken templates before storing anything", async () => {
    const store = createInMemoryPromptStore();
    const registry = createPromptRegistry({ store });
    await expect(registry.publish({ name: "bad", content: text("{{#open}} never closed") })).rejects.toThrow(
      TemplateSyntaxError,
    );
    await expect(
      registry.publish({
        name: "bad",
        content: { type: "text", template: "{{a}} {{b}}", inputVariables: ["a"] },
      }),
    ).rejects.toThrow(TemplateVariablesError);
    await expect(registry.publish({ name: "Bad", content: text("x") })).rejects.toThrow(ValidationError);
    await expect(registry.publish({ name: "ok", content: text("x"), labels: ["latest"] })).rejects.toThrow(
      /latest/,
    );
    expect(await store.list()).toEqual([]);
  });
});

/** A store that can be switched off, to simulate an outage. */
function flakyStore() {
  const inner = createInMemoryPromptStore();
  const state = { down: false, hang: false, gets: 0 };
  const store: PromptStore = {
    ...inner,
    async get(name, ref) {
      state.gets++;
      if (state.hang) return new Promise(() => {});
      if (state.down) throw new ServiceError("redis", "connect ECONNREFUSED");
      return inner.get(name, ref);
    },
  };
  return { store, state };
}

describe("createPromptClient", () => {
  it("caches for the time to live, serves stale while revalidating, then refreshes", async () => {
    const { store, state } = flakyStore();
    const registry = createPromptRegistry({ store });
    await registry.publish({ name: "qa", content: text("v1 {{q}}"), labels: ["production"] });
    const { events, seen } = recorder();
    let clock = 0;
    const client = createPromptClient({
      source: registry,
      ttlMs: 1000,
      staleWhileRevalidateMs: 5000,
      events,
      now: () => clock,
    });
    expect((await client.get("qa")).source).toBe("store");
    expect((await client.get("qa")).source).toBe("cache");
    expect(state.gets).toBe(1);
    await registry.publish({ name: "qa", content: text("v2 {{q}}"), labels: ["production"] });
    clock = 500;
    expect((await client.get("qa")).version).toBe(1); // still fresh
    clock = 2000; // stale: served at once, refreshed in the background
    const stale = await client.get("qa");
    expect(stale.version).toBe(1);
    await client.settle();
    expect(state.gets).toBe(2);
    expect((await client.get("qa")).version).toBe(2);
    expect(seen.filter(([n]) => n === "cache:hit").map(([, p]) => (p as { state: string }).state)).toEqual([
      "fresh",
      "fresh",
      "stale",
      "fresh",
    ]);
    // beyond ttl + stale window: fetched synchronously
    clock = 100_000;
    expect((await client.get("qa")).source).toBe("store");
    // versions by number never expire
    await client.get("qa", 1);
    clock = 10_000_000;
    const gets = state.gets;
    expect((await client.get("qa", 1)).source).toBe("cache");
    expect(state.gets).toBe(gets);
  });

  it("falls back to the last cached version, then to the fallback prompt, with an event", async () => {
    const { store, state } = flakyStore();
    const registry = createPromptRegistry({ store });
    await registry.publish({ name: "qa", content: text("stored {{q}}"), labels: ["production"] });
    const { events, seen } = recorder();
    let clock = 0;
    const client = createPromptClient({
      source: registry,
      ttlMs: 10,
      staleWhileRevalidateMs: 0,
      fallbacks: { qa: text("fallback {{q}}"), other: text("other fallback") },
      events,
      now: () => clock,
    });
    await client.get("qa");
    state.down = true;
    clock = 1000;
    const stale = await client.get("qa");
    expect(stale).toMatchObject({ source: "stale-cache", version: 1 });
    expect(seen.at(-1)).toEqual([
      "fallback",
      expect.objectContaining({ name: "qa", source: "stale-cache", error: expect.any(ServiceError) }),
    ]);
    const fb = await client.get("other");
    expect(fb).toMatchObject({ source: "fallback", version: 0, name: "other" });
    expect(fb.format({})).toBe("other fallback");
    expect(seen.at(-1)).toEqual(["fallback", expect.objectContaining({ name: "other", source: "fallback" })]);
    await expect(client.get("unknown")).rejects.toThrow(ServiceError);
    // a missing prompt while the store is up is an error, not a fallback
    state.down = false;
    await expect(client.get("other")).rejects.toThrow(PromptNotFoundError);
  });

  it("times out a hanging store and serves the fallback", async () => {
    const { store, state } = flakyStore();
    const registry = createPromptRegistry({ store });
    const { events, seen } = recorder();
    const client = createPromptClient({
      source: registry,
      timeoutMs: 50,
      fallbacks: { qa: text("fb") },
      events,
    });
    state.hang = true;
    const started = Date.now();
    const p = await client.get("qa");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(p.source).toBe("fallback");
    expect((seen.at(-1)![1] as { error: unknown }).error).toBeInstanceOf(TimeoutError);
  });

  it("de-duplicates concurrent fetches and validates fallbacks at start-up", async () => {
    const { store, state } = flakyStore();
    const registry = createPromptRegistry({ store });
    await registry.publish({ name: "qa", content: text("x"), labels: ["production"] });
    const client = createPromptClient({ source: registry });
    await Promise.all(Array.from({ length: 10 }, () => client.get("qa")));
    expect(state.gets).toBe(1);
    client.invalidate("qa");
    await client.get("qa");
    expect(state.gets).toBe(2);
    expect(() => createPromptClient({ source: registry, fallbacks: { qa: text("{{#x}}") } })).toThrow(
      TemplateSyntaxError,
    );
  });
});
