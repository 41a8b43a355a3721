import { describe, expect, it } from "vitest";
import { mapConcurrent, parseRelevance, parseSentenceIndices } from "../src/index.js";

describe("LLM answer parsing", () => {
  it("reads relevance verdicts and refuses to guess", () => {
    expect(parseRelevance('{"relevant": true}')).toBe(true);
    expect(parseRelevance('```json\n{"relevant": false}\n```')).toBe(false);
    expect(parseRelevance('{"relevant": "yes"}')).toBe(true);
    expect(parseRelevance("YES, it is relevant")).toBe(true);
    expect(parseRelevance("no")).toBe(false);
    expect(parseRelevance("The context talks about towers")).toBeUndefined();
    expect(parseRelevance('{"relevant": 3}')).toBeUndefined();
    expect(parseRelevance("")).toBeUndefined();
  });

  it("reads sentence numbers", () => {
    expect(parseSentenceIndices('{"sentences": [0, 2]}')).toEqual([0, 2]);
    expect(parseSentenceIndices('{"sentences": ["1", "3"]}')).toEqual([1, 3]);
    expect(parseSentenceIndices('{"sentences": []}')).toEqual([]);
    expect(parseSentenceIndices("Relevant: [4, 5]")).toEqual([4, 5]);
    expect(parseSentenceIndices('{"sentences": ["a"]}')).toBeUndefined();
    expect(parseSentenceIndices("none of them")).toBeUndefined();
  });
});

describe("mapConcurrent", () => {
  it("keeps order and never exceeds the limit", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, x * 3));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it("stops starting work once aborted", async () => {
    const ac = new AbortController();
    let started = 0;
    const run = mapConcurrent(
      [1, 2, 3, 4],
      1,
      async () => {
        started++;
        ac.abort();
      },
      ac.signal,
    );
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(started).toBe(1);
  });
});
