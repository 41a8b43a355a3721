import { describe, expect, it } from "vitest";
import { scanAsciiWords } from "./ascii-words.js";
import { hashRange } from "./term-dictionary.js";

/** The regular expression the scan replaces, and its rule that a lone `_` is no word. */
const ASCII_WORDS =
  /[A-Za-z0-9_]+(?:(?:(?<=[A-Za-z])[:.'](?=[A-Za-z])|(?<=[0-9])[,;.'](?=[0-9]))[A-Za-z0-9_]+)*/g;
const viaRegex = (text: string) => (text.match(ASCII_WORDS) ?? []).filter((w) => w !== "_");

function viaScan(text: string) {
  const words: string[] = [];
  scanAsciiWords(text, 0, text.length, {
    range(t, start, end, hash) {
      expect(hash).toBe(hashRange(t, start, end));
      words.push(t.slice(start, end));
    },
    word: () => expect.unreachable(),
  });
  return words;
}

describe("scanAsciiWords", () => {
  it("finds the words of the regular expression on edge cases", () => {
    for (const text of [
      "isn't it 3.14 or 3,000.5; e.g. U.S.A. and a:b, x-ray, foo_bar, _x_, 'quoted' end.",
      "a1.b 1.a a.1 1;2 a;b 1:2 a'b' 'a 1'2 _ __ _._ a__ .a a. 1. .1 a..b 1,,2 a:1 1'a",
      "",
      "_",
      "x",
      "a.",
    ]) {
      expect(viaScan(text), text).toEqual(viaRegex(text));
    }
  });

  it("finds the words of the regular expression on random ASCII", () => {
    const alphabet = "aZ9_ .,;:'-x1";
    let seed = 5;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let n = 0; n < 5000; n++) {
      const len = Math.floor(rand() * 14);
      let text = "";
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
      expect(viaScan(text), JSON.stringify(text)).toEqual(viaRegex(text));
    }
  });
});
