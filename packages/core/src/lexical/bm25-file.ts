/**
 * The serialised form of a `BM25Index` (`BM25Index.serialize` / `save`).
 *
 * The snapshot layout of `stores/snapshot-file.ts` with magic `RAGLOOM-BM1`, a header
 * `{ format: 1, k1, b, analyzer, ids, texts, metadatas, lengths, terms, postingLengths }` and a
 * payload of little-endian uint32 pairs: for each term in `terms` order, `postingLengths[t]`
 * document numbers (ascending) then as many term frequencies. Documents are numbered
 * 0..n-1 in the index's slot order, so ties rank the same after a reload.
 */
import { CorruptFileError } from "../errors/errors.js";
import { decodeSnapshot, encodeSnapshot } from "../stores/snapshot-file.js";
import type { Metadata } from "../types/document.js";

export const BM25_MAGIC = "RAGLOOM-BM1";
const CHECKSUMMED = new Set([BM25_MAGIC]);

/**
 * What the analyzer was, as far as it can be told apart: the built-in one with its locale,
 * a digest of its stop words and whether a stemmer was set, or a caller's own tokenizer.
 */
export type AnalyzerDescriptor =
  | { kind: "default"; locale: string; stopWords: string; stem: boolean }
  | { kind: "custom" };

/** Everything a BM25 index holds, with documents numbered 0..n-1. */
export interface BM25State {
  k1: number;
  b: number;
  analyzer: AnalyzerDescriptor;
  ids: string[];
  texts: string[];
  metadatas: Metadata[];
  /** Token count of each document. */
  lengths: number[];
  /** Each term's postings: ascending document numbers and their term frequencies. */
  postings: Map<string, { docs: Uint32Array; tfs: Uint32Array }>;
}

/** Encodes an index state as snapshot chunks (header + uint32 postings + SHA-256). */
export function encodeBM25(state: BM25State): Uint8Array[] {
  const terms = [...state.postings.keys()];
  let total = 0;
  for (const p of state.postings.values()) total += p.docs.length;
  const payload = new Uint32Array(2 * total);
  const postingLengths: number[] = [];
  let o = 0;
  for (const term of terms) {
    const { docs, tfs } = state.postings.get(term)!;
    postingLengths.push(docs.length);
    payload.set(docs, o);
    payload.set(tfs, o + docs.length);
    o += 2 * docs.length;
  }
  return encodeSnapshot({
    magic: BM25_MAGIC,
    header: {
      format: 1,
      k1: state.k1,
      b: state.b,
      analyzer: state.analyzer,
      ids: state.ids,
      texts: state.texts,
      metadatas: state.metadatas,
      lengths: state.lengths,
      terms,
      postingLengths,
    },
    payload: [new Uint8Array(payload.buffer)],
  });
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= 0;

/**
 * Decodes and checks a serialised index: checksum, header shape, unique ids and terms,
 * postings in range, ascending and with positive frequencies, and each document's length equal
 * to the sum of its term frequencies.
 * @param source - a file path or a name for the bytes, used in error messages.
 * @throws CorruptFileError when any check fails.
 */
export function decodeBM25(bytes: Uint8Array, source: string): BM25State {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { header, payload } = decodeSnapshot(buf, source, [BM25_MAGIC], CHECKSUMMED);
  const bad = (message: string) => new CorruptFileError(source, message);
  if (!isObject(header) || header.format !== 1) throw bad("unsupported BM25 index format");
  const { k1, b, analyzer, ids, texts, metadatas, lengths, terms, postingLengths } = header;
  if (typeof k1 !== "number" || typeof b !== "number" || !(k1 >= 0) || !(b >= 0 && b <= 1)) {
    throw bad("k1 and b are out of range");
  }
  if (!isObject(analyzer) || (analyzer.kind !== "default" && analyzer.kind !== "custom")) {
    throw bad("analyzer is missing");
  }
  if (![ids, texts, metadatas, lengths, terms, postingLengths].every(Array.isArray)) {
    throw bad("ids, texts, metadatas, lengths, terms and postingLengths must be arrays");
  }
  const [idList, textList, metaList, lengthList, termList, countList] = [
    ids,
    texts,
    metadatas,
    lengths,
    terms,
    postingLengths,
  ] as unknown[][];
  const n = idList!.length;
  if (textList!.length !== n || metaList!.length !== n || lengthList!.length !== n) {
    throw bad("ids, texts, metadatas and lengths differ in length");
  }
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const id = idList![i];
    if (typeof id !== "string" || id.length === 0) throw bad(`document ${i} has no valid id`);
    if (seen.has(id)) throw bad(`duplicate id "${id}"`);
    seen.add(id);
    if (typeof textList![i] !== "string") throw bad(`text of "${id}" is not a string`);
    if (!isObject(metaList![i])) throw bad(`metadata of "${id}" is not an object`);
    if (!isCount(lengthList![i])) throw bad(`length of "${id}" is not a count`);
  }
  if (termList!.length !== countList!.length) throw bad("terms and postingLengths differ in length");
  let total = 0;
  for (const c of countList!) {
    if (!isCount(c) || c === 0) throw bad("a posting list is empty or its length is not a count");
    total += c;
  }
  if (payload.length !== 8 * total)
    throw bad(`has ${payload.length} bytes of postings, expected ${8 * total}`);
  const words = new Uint32Array(2 * total);
  new Uint8Array(words.buffer).set(payload);
  const postings: BM25State["postings"] = new Map();
  const sums = new Array<number>(n).fill(0);
  let o = 0;
  for (let t = 0; t < termList!.length; t++) {
    const term = termList![t];
    if (typeof term !== "string" || term.length === 0) throw bad(`term ${t} is not a non-empty string`);
    if (postings.has(term)) throw bad(`duplicate term "${term}"`);
    const c = countList![t] as number;
    const docs = words.subarray(o, o + c);
    const tfs = words.subarray(o + c, o + 2 * c);
    o += 2 * c;
    for (let i = 0; i < c; i++) {
      if (docs[i]! >= n || (i > 0 && docs[i]! <= docs[i - 1]!)) {
        throw bad(`postings of "${term}" are out of range or not ascending`);
      }
      if (tfs[i] === 0) throw bad(`postings of "${term}" have a zero frequency`);
      sums[docs[i]!]! += tfs[i]!;
    }
    postings.set(term, { docs, tfs });
  }
  for (let i = 0; i < n; i++) {
    if (sums[i] !== lengthList![i]) throw bad(`length of "${idList![i]}" disagrees with its postings`);
  }
  return {
    k1,
    b,
    analyzer: analyzer as AnalyzerDescriptor,
    ids: idList as string[],
    texts: textList as string[],
    metadatas: metaList as Metadata[],
    lengths: lengthList as number[],
    postings,
  };
}
