import { describe, expect, it } from "vitest";
import { hashRange, TermDictionary } from "./term-dictionary.js";

const hash = (t: string) => hashRange(t, 0, t.length);

describe("TermDictionary", () => {
  it("finds terms by string and by range, packed or not, short or long", () => {
    const dict = new TermDictionary();
    const terms = [
      "a",
      "ab",
      "abcdefghijkl",
      "abcdefghijklm",
      "abcdefghijkm",
      "ÿÿÿÿ",
      "αβγ",
      "xαβγdefghijklmn",
      "\u0000",
    ];
    const ids = terms.map((t) => dict.idAt(dict.add(t, hash(t))));
    expect(new Set(ids).size).toBe(terms.length);
    terms.forEach((t, i) => {
      expect(dict.find(t)).toBe(ids[i]);
      const text = `  ${t}  `;
      expect(dict.idAt(dict.findRange(text, 2, 2 + t.length, hash(t)))).toBe(ids[i]);
    });
    for (const absent of [
      "",
      "abc",
      "abcdefghijkk",
      "abcdefghijklmn",
      "ÿÿÿ",
      "αβ",
      "xαβγdefghijklmo",
      "\u0000\u0000",
    ]) {
      expect(dict.find(absent)).toBe(-1);
    }
  });

  it("tells apart terms whose hashes collide, and deletes from the middle of a probe run", () => {
    const dict = new TermDictionary();
    const words = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}${"x".repeat(i % 17)}`);
    // every term gets the same hash: one long probe run, resolved by the length and the code units
    const ids = new Map(words.map((w) => [w, dict.idAt(dict.add(w, 7))]));
    for (const w of words)
      expect(dict.findRange(w, 0, w.length, 7) >= 0 && dict.idAt(dict.findRange(w, 0, w.length, 7))).toBe(
        ids.get(w),
      );
    const removed = words.filter((_, i) => i % 3 === 1);
    for (const w of removed) dict.remove(ids.get(w)!);
    for (const w of words) {
      const e = dict.findRange(w, 0, w.length, 7);
      expect(e < 0 ? -1 : dict.idAt(e)).toBe(removed.includes(w) ? -1 : ids.get(w));
    }
    // freed ids are handed out again
    const again = dict.idAt(dict.add("fresh", 7));
    expect(removed.map((w) => ids.get(w))).toContain(again);
    expect(dict.term(again)).toBe("fresh");
  });

  it("keeps every term through growth and random deletes with real hashes", () => {
    const dict = new TermDictionary();
    const live = new Map<string, number>();
    let seed = 11;
    const rand = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let step = 0; step < 40_000; step++) {
      const w = `t${Math.floor(rand() * 20_000)}`;
      if (live.has(w) && rand() < 0.4) {
        dict.remove(live.get(w)!);
        live.delete(w);
      } else if (!live.has(w)) live.set(w, dict.idAt(dict.add(w, hash(w))));
    }
    for (let i = 0; i < 20_000; i++) expect(dict.find(`t${i}`)).toBe(live.get(`t${i}`) ?? -1);
  });
});
