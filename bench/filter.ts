/**
 * Filter evaluation benchmark: wide filters over 100,000 records, the compiled path
 * (`compileFilter`: `in`/`nin` lists and `or`s of `eq`s over one field hashed into a Set, once
 * per query) against the plain interpreter it replaced (every list scanned for every record).
 * Both give the same records (checked here and in the filter tests).
 * Run: pnpm tsx bench/filter.ts   (writes bench/results/filter.json)
 */
import { compileFilter, F, type Filter, type Metadata, pushDownNot, validateFilter } from "@ragloom/core";
import { evaluatePlain } from "../packages/core/src/filter/compile.js";
import { printTable, writeResults } from "./lib/report.js";

const ROWS = 100_000;
const records: Metadata[] = Array.from({ length: ROWS }, (_, i) => ({
  year: 1900 + (i % 200),
  author: `author-${i % 20_000}`,
  tags: ["a", `t${i % 7}`],
}));

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const cases: Array<[string, Filter]> = [
  [
    "in, 10,000 strings",
    F.in(
      "author",
      range(10_000, (i) => `author-${i * 2}`),
    ),
  ],
  [
    "nin, 10,000 strings",
    F.nin(
      "author",
      range(10_000, (i) => `author-${i * 2}`),
    ),
  ],
  ["or of 1,024 eqs (one field)", F.or(...range(1024, (i) => F.eq("author", `author-${i * 7}`)))],
  ["not or of 1,024 eqs", F.not(F.or(...range(1024, (i) => F.eq("author", `author-${i * 7}`))))],
  ["in, 5 numbers (no Set)", F.in("year", [1901, 1950, 1999, 2050, 2099])],
];

function time(fn: () => number, minMs = 300): { ms: number; matches: number } {
  let runs = 0;
  let matches = 0;
  const t0 = performance.now();
  do {
    matches = fn();
    runs++;
  } while (performance.now() - t0 < minMs);
  return { ms: (performance.now() - t0) / runs, matches };
}

const rows: Array<Record<string, string | number>> = [];
for (const [label, filter] of cases) {
  const compiled = time(() => {
    const match = compileFilter(filter); // once per query, as the stores do
    let n = 0;
    for (const m of records) if (match(m)) n++;
    return n;
  });
  const plain = time(() => {
    const normal = pushDownNot(validateFilter(filter));
    let n = 0;
    for (const m of records) if (evaluatePlain(normal, m, "")) n++;
    return n;
  }, 1);
  if (compiled.matches !== plain.matches)
    throw new Error(`${label}: ${compiled.matches} != ${plain.matches}`);
  rows.push({
    filter: label,
    matches: compiled.matches,
    "compiled ms/query": compiled.ms,
    "plain ms/query": plain.ms,
    speedup: plain.ms / compiled.ms,
  });
}
printTable(rows);
console.log(`\n${ROWS.toLocaleString("en")} records; ms per query over all of them; Node ${process.version}`);
writeResults("filter", { rows: ROWS, node: process.version, results: rows });
