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

  it("never retries authentication failures, however they are reported", () => {
    // chromadb's own classes for HTTP 401 / 403 carry no status
    expect(isRetryableError(Object.assign(new Error("Unauthorized"), { name: "ChromaAuthError" }))).toBe(
      false,
    );
    expect(isRetryableError(Object.assign(new Error("no"), { name: "ChromaForbiddenError" }))).toBe(false);
    // Redis replies when a password or ACL is missing
    expect(isRetryableError(new Error("NOAUTH Authentication required."))).toBe(false);
    expect(isRetryableError(new Error("WRONGPASS invalid username-password pair"))).toBe(false);
    // a ServiceError whose flag was left at its default but whose status or cause says auth
    expect(isRetryableError(new ServiceError("x", "HTTP 401", { status: 401 }))).toBe(false);
    expect(isRetryableError(new ServiceError("x", "HTTP 403", { status: 403 }))).toBe(false);
    const wrapped = new ServiceError("chroma", "upsert failed", {
      cause: Object.assign(new Error("Unauthorized"), { name: "ChromaAuthError" }),
    });
    expect(isRetryableError(wrapped)).toBe(false);
    expect(isRetryableError(new ServiceError("x", "HTTP 503", { status: 503 }))).toBe(true);
  });

  it("stops retrying at maxRetryTimeMs", async () => {
    let n = 0;
    const t0 = performance.now();
    const error = await retry(
      async () => {
        n++;
        throw new ServiceError("dep", "down");
      },
      {
        service: "dep",
        retries: Number.POSITIVE_INFINITY,
        minTimeoutMs: 10,
        maxTimeoutMs: 20,
        maxRetryTimeMs: 200,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(n).toBeGreaterThan(3);
    expect(performance.now() - t0).toBeLessThan(2000);
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

  it("doubles the open period after each failed trial up to maxResetTimeoutMs (when set), and starts over on close", async () => {
    const events = createEventBus();
    const opened: number[] = [];
    events.on("breaker:open", (e) => opened.push(e.resetTimeoutMs));
    const breaker = createCircuitBreaker({
      service: "dep",
      resetTimeoutMs: 40,
      maxResetTimeoutMs: 100,
      events,
    });
    const fail = () => Promise.reject(new ServiceError("dep", "down"));
    for (let i = 0; i < 5; i++) await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe("open");
    const waitHalfOpen = async () => {
      while (breaker.state !== "half-open") await new Promise((r) => setTimeout(r, 5));
    };
    for (let trial = 0; trial < 3; trial++) {
      await waitHalfOpen();
      await breaker.execute(fail).catch(() => {}); // the trial fails: open again, for longer
    }
    expect(opened).toEqual([40, 80, 100, 100]);
    await waitHalfOpen();
    expect(await breaker.execute(async () => 1)).toBe(1);
    expect(breaker.state).toBe("closed");
    for (let i = 0; i < 5; i++) await breaker.execute(fail).catch(() => {});
    expect(opened.at(-1)).toBe(40);
    // without a cap the open period is fixed
    const fixedOpened: number[] = [];
    const fixedEvents = createEventBus();
    fixedEvents.on("breaker:open", (e) => fixedOpened.push(e.resetTimeoutMs));
    const fixed = createCircuitBreaker({ service: "dep", resetTimeoutMs: 30, events: fixedEvents });
    for (let i = 0; i < 5; i++) await fixed.execute(fail).catch(() => {});
    while (fixed.state !== "half-open") await new Promise((r) => setTimeout(r, 5));
    await fixed.execute(fail).catch(() => {});
    expect(fixedOpened).toEqual([30, 30]);
    fixed.shutdown();
    expect(() => createCircuitBreaker({ service: "x", resetTimeoutMs: 0 })).toThrow(ValidationError);
    expect(() => createCircuitBreaker({ service: "x", resetTimeoutMs: 10, maxResetTimeoutMs: 5 })).toThrow(
      ValidationError,
    );
    breaker.shutdown();
  });

  it("does not count authentication failures as failures of the dependency", async () => {
    const breaker = createCircuitBreaker({ service: "dep" });
    const denied = Object.assign(new Error("Unauthorized"), { name: "ChromaAuthError" });
    for (let i = 0; i < 10; i++)
      await expect(breaker.execute(() => Promise.reject(denied))).rejects.toBe(denied);
    expect(breaker.state).toBe("closed");
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
