import type { Embedder } from "@ragloom/core";
import { ValidationError } from "@ragloom/core";
import { Tiktoken, type TiktokenBPE } from "js-tiktoken/lite";
import type { Tokenizer } from "./types.js";

/** Encodings of {@link loadTiktokenTokenizer}: `cl100k_base` (GPT-4, GPT-3.5) and `o200k_base` (GPT-4o and later). */
export type TiktokenEncodingName = "cl100k_base" | "o200k_base";

/**
 * A tiktoken-compatible {@link Tokenizer} over BPE ranks you already hold, e.g.
 * `import cl100k from "js-tiktoken/ranks/cl100k_base"`. Special-token strings such as
 * `<|endoftext|>` are counted as ordinary text (they cannot be injected).
 * @param ranks - the BPE ranks (a `TiktokenBPE` object from `js-tiktoken/ranks/*`).
 * @param name - encoding name used in `Tokenizer.name` (`tiktoken:<name>`).
 * @param options.cacheSize - counts remembered by text (first in, first out), because compressors
 *   count the same sentences again and again and js-tiktoken is pure JavaScript (about 0.1-0.3 M
 *   tokens/s on one busy core); 0 disables the memo. @default 10000
 */
export function createTiktokenTokenizer(
  ranks: TiktokenBPE,
  name: string,
  options: { cacheSize?: number } = {},
): Tokenizer {
  const enc = new Tiktoken(ranks);
  const cacheSize = options.cacheSize ?? 10_000;
  const memo = new Map<string, number>();
  return {
    name: `tiktoken:${name}`,
    count: (text: string) => {
      let n = memo.get(text);
      if (n !== undefined) return n;
      n = enc.encode(text, [], []).length;
      if (cacheSize > 0) {
        if (memo.size >= cacheSize) memo.delete(memo.keys().next().value as string);
        memo.set(text, n);
      }
      return n;
    },
  };
}

/**
 * A {@link Tokenizer} that counts words: maximal runs of non-whitespace characters, as `wc -w`
 * does. Named `words`; synchronous, nothing to load. The default unit of `ratio` selection and of
 * the token counts {@link withCompression} reports.
 */
export const wordTokenizer: Tokenizer = {
  name: "words",
  count: (text: string) => text.match(/\S+/g)?.length ?? 0,
};

const loaded = new Map<TiktokenEncodingName, Promise<Tokenizer>>();

const ENCODINGS_HINT =
  '"cl100k_base" (GPT-4, GPT-3.5) or "o200k_base" (GPT-4o and later); to count words instead, use wordTokenizer';

/**
 * Loads (once per process, lazily) the ranks of an OpenAI tiktoken encoding shipped with
 * `js-tiktoken` (offline, no network) and returns a {@link Tokenizer} named `tiktoken:<encoding>`.
 * The encoding must be named: it is the one of the model the compressed text is sent to.
 * @param encoding - `cl100k_base` (GPT-4, GPT-3.5) or `o200k_base` (GPT-4o and later).
 * @throws ValidationError (as a rejection) when no encoding or an unknown one is named.
 */
export function loadTiktokenTokenizer(encoding: TiktokenEncodingName): Promise<Tokenizer> {
  if (encoding === undefined) {
    return Promise.reject(new ValidationError(`loadTiktokenTokenizer: name the encoding: ${ENCODINGS_HINT}`));
  }
  let p = loaded.get(encoding);
  if (!p) {
    if (encoding === "cl100k_base") {
      p = import("js-tiktoken/ranks/cl100k_base").then((m) => createTiktokenTokenizer(m.default, encoding));
    } else if (encoding === "o200k_base") {
      p = import("js-tiktoken/ranks/o200k_base").then((m) => createTiktokenTokenizer(m.default, encoding));
    } else {
      return Promise.reject(
        new ValidationError(`unknown tiktoken encoding ${JSON.stringify(encoding)}: use ${ENCODINGS_HINT}`),
      );
    }
    loaded.set(encoding, p);
  }
  return p;
}

/**
 * A {@link Tokenizer} on the embedder's own tokenizer (`Embedder.countTokens`), named
 * `embedder:<modelId>`.
 * @throws ValidationError when the embedder has no `countTokens`.
 */
export function embedderTokenizer(embedder: Embedder): Tokenizer {
  const count = embedder.countTokens?.bind(embedder);
  if (!count) throw new ValidationError(`embedder ${embedder.modelId} has no countTokens()`);
  return { name: `embedder:${embedder.modelId}`, count };
}
