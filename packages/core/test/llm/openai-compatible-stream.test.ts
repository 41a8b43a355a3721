import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LLM_MODEL_ID,
  type ServiceHandle,
  startLlmServer,
  stopAllServices,
} from "../../../../test/services.js";
import {
  AbortError,
  createEventBus,
  createOpenAICompatibleModel,
  type GenerateStreamPart,
  type RagloomEventMap,
  ServiceError,
  TimeoutError,
} from "../../src/index.js";
import { chunk, type SseServer, startSseServer } from "./sse-fault-server.js";

const fastRetry = { minTimeoutMs: 10, maxTimeoutMs: 20 };
const collect = async (stream: AsyncIterable<GenerateStreamPart>) => {
  const parts: GenerateStreamPart[] = [];
  for await (const p of stream) parts.push(p);
  return parts;
};
const textOf = (parts: GenerateStreamPart[]) =>
  parts.map((p) => (p.type === "text-delta" ? p.text : "")).join("");

describe("OpenAI-compatible streaming against a real llama-cpp-python server (SmolLM2-135M)", () => {
  let llm: ServiceHandle;
  beforeAll(async () => {
    llm = await startLlmServer();
  });
  afterAll(stopAllServices);

  it("streams text deltas in order, then one finish part (this server sends no usage)", async () => {
    const events = createEventBus();
    const calls: RagloomEventMap["service:call"][] = [];
    events.on("service:call", (e) => calls.push(e));
    const model = createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID, events });
    const parts = await collect(
      model.stream([{ role: "user", content: "Name three colours." }], { maxTokens: 24, temperature: 0 }),
    );
    const last = parts.at(-1)!;
    expect(last.type).toBe("finish");
    expect(parts.filter((p) => p.type === "finish")).toHaveLength(1);
    const deltas = parts.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((p) => p.type === "text-delta" && p.text.length > 0)).toBe(true);
    expect(textOf(parts).trim()).not.toBe("");
    expect(["stop", "length"]).toContain(last.type === "finish" ? last.finishReason : undefined);
    expect(calls).toMatchObject([{ service: "llm", operation: "chat/completions (stream)" }]);
  });

  it("streams schema-constrained JSON", async () => {
    const model = createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID });
    const schema = {
      type: "object",
      properties: { colour: { enum: ["blue", "green", "red"] }, sure: { type: "boolean" } },
      required: ["colour", "sure"],
    };
    const parts = await collect(
      model.stream([{ role: "user", content: "What colour is the sky? Answer in JSON." }], {
        json: { schema },
        maxTokens: 32,
        temperature: 0,
      }),
    );
    const parsed = JSON.parse(textOf(parts)) as Record<string, unknown>;
    expect(["blue", "green", "red"]).toContain(parsed.colour);
    expect(typeof parsed.sure).toBe("boolean");
  });

  it("aborts mid-stream with AbortError, and a reader that stops early frees the server", async () => {
    const model = createOpenAICompatibleModel({ baseURL: llm.url, model: LLM_MODEL_ID, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: "Write a long story about a dragon." }];
    const controller = new AbortController();
    let deltas = 0;
    const error = await (async () => {
      for await (const p of model.stream(messages, { maxTokens: 400, signal: controller.signal })) {
        if (p.type === "text-delta" && ++deltas === 2) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(deltas).toBe(2);

    // break after the first delta: the request is cancelled and the next one is served
    for await (const p of model.stream(messages, { maxTokens: 400 })) if (p.type === "text-delta") break;
    const parts = await collect(model.stream([{ role: "user", content: "Hi" }], { maxTokens: 4 }));
    expect(parts.at(-1)).toMatchObject({ type: "finish" });
  });
});

describe("OpenAI-compatible streaming faults (scripted SSE server)", () => {
  const servers: SseServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (...scripts: Parameters<typeof startSseServer>[0]) => {
    const s = await startSseServer(scripts);
    servers.push(s);
    return s;
  };
  const msgs = [{ role: "user" as const, content: "x" }];
  const drain = async (stream: AsyncIterable<GenerateStreamPart>, seen: string[]) => {
    try {
      for await (const p of stream) if (p.type === "text-delta") seen.push(p.text);
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it("reads usage from the last chunk when streamUsage asks for it", async () => {
    const server = await start({
      events: [
        chunk("Hel"),
        chunk("lo", "stop"),
        JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } }),
        "[DONE]",
      ],
    });
    const model = createOpenAICompatibleModel({ baseURL: server.url, model: "m", streamUsage: true });
    const parts = await collect(model.stream(msgs, { maxTokens: 5 }));
    expect(parts).toEqual([
      { type: "text-delta", text: "Hel" },
      { type: "text-delta", text: "lo" },
      { type: "finish", finishReason: "stop", usage: { promptTokens: 7, completionTokens: 2 } },
    ]);
    expect(server.requests[0]).toMatchObject({
      stream: true,
      max_tokens: 5,
      stream_options: { include_usage: true },
    });
  });

  it("accepts a body that ends after a finish reason without [DONE]", async () => {
    const server = await start({ events: [chunk("ok", "length")] });
    const model = createOpenAICompatibleModel({ baseURL: server.url, model: "m" });
    const parts = await collect(model.stream(msgs));
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "length", usage: undefined });
    expect(server.requests[0]!.stream_options).toBeUndefined();
  });

  it("a stream that breaks off, or ends with no finish and no [DONE], is a ServiceError", async () => {
    const broken = await start({ events: [chunk("par")], breakOff: true });
    const model = createOpenAICompatibleModel({ baseURL: broken.url, model: "m", maxRetries: 0 });
    const seen: string[] = [];
    expect(await drain(model.stream(msgs), seen)).toBeInstanceOf(ServiceError);
    expect(seen).toEqual(["par"]);

    const truncated = await start({ events: [chunk("par")] });
    const model2 = createOpenAICompatibleModel({ baseURL: truncated.url, model: "m" });
    await expect(collect(model2.stream(msgs))).rejects.toThrow(/ended before a finish reason/);
  });

  it("an error event mid-stream is a non-retryable ServiceError", async () => {
    const server = await start({
      events: [chunk("a"), JSON.stringify({ error: { message: "context overflow" } })],
    });
    const model = createOpenAICompatibleModel({ baseURL: server.url, model: "m" });
    const error = (await collect(model.stream(msgs)).catch((e: unknown) => e)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toContain("context overflow");
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it("retries a 503 before the first byte, never a 400", async () => {
    const flaky = await start({ status: 503 }, { events: [chunk("ok", "stop"), "[DONE]"] });
    const events = createEventBus();
    const retries: RagloomEventMap["retry"][] = [];
    events.on("retry", (e) => retries.push(e));
    const model = createOpenAICompatibleModel({ baseURL: flaky.url, model: "m", retry: fastRetry, events });
    const parts = await collect(model.stream(msgs));
    expect(parts.map((p) => p.type)).toEqual(["text-delta", "finish"]);
    expect(retries).toHaveLength(1);

    const bad = await start({ status: 400 });
    const model2 = createOpenAICompatibleModel({ baseURL: bad.url, model: "m", retry: fastRetry });
    await expect(collect(model2.stream(msgs))).rejects.toMatchObject({ status: 400, retryable: false });
    expect(bad.requests).toHaveLength(1);
  });

  it("times out a stream that stalls after its first delta", async () => {
    const stalled = await start({ events: [chunk("a")], stall: true });
    const model = createOpenAICompatibleModel({ baseURL: stalled.url, model: "m", timeoutMs: 200 });
    const seen: string[] = [];
    expect(await drain(model.stream(msgs), seen)).toBeInstanceOf(TimeoutError);
    expect(seen).toEqual(["a"]);
  });
});
