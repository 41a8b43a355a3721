import { describe, expect, it } from "vitest";
import {
  AbortError,
  CircuitOpenError,
  FilterError,
  ServiceError,
  TimeoutError,
  ValidationError,
} from "../errors/errors.js";
import { createEventBus, type RagloomEventMap } from "../events/event-bus.js";
import { createCircuitBreaker } from "./circuit-breaker.js";
import { isRetryableError, retry } from "./retry.js";
import { withTimeout } from "./timeout.js";

const never = () => new Promise<never>(() => {});

describe("withTimeout", () => {
  it("rejects with TimeoutError even when the callee ignores its signal, and aborts the signal", async () => {
    let seen: AbortSignal | undefined;
    const t0 = performance.now();
    const error = await withTimeout(
      (signal) => {
        seen = signal;
        return never();
      },
      { timeoutMs: 50, what: "thing" },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe("thing timed out after 50 ms");
    expect(performance.now() - t0).toBeLessThan(500);
    expect(seen?.aborted).toBe(true);
  });

  it("rejects with AbortError when the caller aborts, at once if already aborted", async () => {
    const c = new AbortController();
    const p = withTimeout(() => never(), { signal: c.signal, timeoutMs: 10_000 });
    c.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    await expect(withTimeout(async () => 1, { signal: c.signal })).rejects.toBeInstanceOf(AbortError);
    expect(await withTimeout(async () => 42, { timeoutMs: 1000 })).toBe(42);
  });
});

describe("retry / isRetryableError", () => {
  it("classifies errors", () => {
    expect(isRetryableError(new ServiceError("x", "boom", { status: 503 }))).toBe(true);
    expect(isRetryableError(new ServiceError("x", "bad", { status: 400, retryable: false }))).toBe(false);
    expect(isRetryableError(new TimeoutError("x", 1))).toBe(true);
    for (const e of [
      new ValidationError("v"),
      new FilterError("f"),
      new AbortError(),
      new CircuitOpenError("x"),
    ]) {
      expect(isRetryableError(e)).toBe(false);
    }
    expect(isRetryableError(Object.assign(new Error("rate"), { status: 429 }))).toBe(true);
    expect(isRetryableError(Object.assign(new Error("nope"), { statusCode: 404 }))).toBe(false);
    expect(isRetryableError(Object.assign(new Error("bad where"), { name: "ChromaValueError" }))).toBe(false);
    expect(isRetryableError(new Error("ECONNRESET"))).toBe(true);
  });

  it("retries transient errors with backoff and emits retry events; stops at once on a 4xx", async () => {
    const events = createEventBus();
    const retries: RagloomEventMap["retry"][] = [];
    events.on("retry", (e) => retries.push(e));
    let n = 0;
    const value = await retry(
      async () => {
        if (++n < 3) throw new ServiceError("dep", "flaky", { status: 502 });
        return "ok";
      },
      { service: "dep", retries: 4, minTimeoutMs: 5, maxTimeoutMs: 10, events },
    );
    expect(value).toBe("ok");
    expect(retries.map((r) => [r.service, r.attempt, r.retriesLeft])).toEqual([
      ["dep", 1, 4],
      ["dep", 2, 3],
    ]);
    let m = 0;
    const bad = new ServiceError("dep", "invalid", { status: 422, retryable: false });
    await expect(
      retry(
        async () => {
          m++;
          throw bad;
        },
        { service: "dep", retries: 4, minTimeoutMs: 5 },
      ),
    ).rejects.toBe(bad);
    expect(m).toBe(1);
  });
});

describe("createCircuitBreaker", () => {
  it("opens after 5 failures, rejects without calling, half-opens after the reset, closes on success", async () => {
    const events = createEventBus();
    const log: string[] = [];
    for (const name of ["breaker:open", "breaker:half-open", "breaker:close", "breaker:reject"] as const) {
      events.on(name, () => log.push(name));
    }
    const breaker = createCircuitBreaker({ service: "dep", resetTimeoutMs: 100, events });
    const fail = () => Promise.reject(new ServiceError("dep", "down"));
    for (let i = 0; i < 4; i++) await expect(breaker.execute(fail)).rejects.toBeInstanceOf(ServiceError);
    expect(breaker.state).toBe("closed");
    await expect(breaker.execute(fail)).rejects.toBeInstanceOf(ServiceError);
    expect(breaker.state).toBe("open");
    let called = false;
    await expect(
      breaker.execute(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(breaker.state).toBe("half-open");
    expect(await breaker.execute(async () => 7)).toBe(7);
    expect(breaker.state).toBe("closed");
    expect(log).toEqual(["breaker:open", "breaker:reject", "breaker:half-open", "breaker:close"]);
    breaker.shutdown();
  });

  it("does not count caller errors (validation, 4xx) as failures", async () => {
    const breaker = createCircuitBreaker({ service: "dep" });
    for (let i = 0; i < 10; i++) {
      await expect(breaker.execute(() => Promise.reject(new ValidationError("bad")))).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(breaker.state).toBe("closed");
    breaker.shutdown();
  });
});
