/**
 * Rule-based self-query parser accuracy on two labelled sets, per category: the project's own
 * set (packages/self-query/test/fixtures, today = 2024-06-15) and the frozen held-out set
 * written independently of the parser (bench/data/self-query-heldout, today = 2026-06-15).
 * A request is correct when its filter selects exactly the labelled records of a synthetic
 * collection (equivalent filter trees count as equal). Writes bench/results/<set>.json (the set
 * named by `SELF_QUERY_HELDOUT`, default self-query-heldout), keeping the other entry:
 * `--baseline` records the run as the baseline, otherwise as current.
 *
 *   SELF_QUERY_HELDOUT=self-query-heldout-6 pnpm tsx bench/self-query-heldout.ts [--baseline] [--misses]
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "../packages/self-query/src/index.js";
import { byCategory, evaluate, NOW } from "../packages/self-query/test/accuracy.js";
import { evaluateHeldout, HELDOUT_NOW, HELDOUT_SET, heldoutRequests } from "./lib/heldout-eval.js";
import { printTable, writeResults } from "./lib/report.js";

const { values } = parseArgs({ options: { baseline: { type: "boolean" }, misses: { type: "boolean" } } });

const own = await evaluate((r, s) => parse(r, s, { now: () => NOW }));
const held = await evaluateHeldout((r, s) => parse(r, s, { now: () => HELDOUT_NOW }));

type Row = { category: string; n: number; correct: number; accuracy: number };
function show(title: string, rows: Row[]): void {
  console.log(title);
  printTable(
    rows.map((c) => ({
      category: c.category,
      n: c.n,
      correct: `${c.correct}/${c.n}`,
      accuracy: `${(100 * c.accuracy).toFixed(1)}%`,
    })),
  );
  console.log("");
}
const ownRows = byCategory(own);
const heldRows = byCategory(held as never) as Row[];
show(`Project set (${own.length} requests)`, ownRows);
show(`Held-out set (${heldoutRequests.length} requests)`, heldRows);
if (values.misses) {
  for (const o of held.filter((x) => !x.correct))
    console.log(
      `  miss (${o.item.category}) ${o.item.request}\n    got ${JSON.stringify(o.predicted)}\n    want ${JSON.stringify(o.item.filter)}`,
    );
}

const path = join(import.meta.dirname, "results", `${HELDOUT_SET}.json`);
const previous = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : {};
const run = {
  date: new Date().toISOString(),
  parser: "rules (default options)",
  project: { perCategory: ownRows },
  heldout: {
    perCategory: heldRows,
    misses: held
      .filter((o) => !o.correct)
      .map((o) => ({
        request: o.item.request,
        category: o.item.category,
        predicted: o.predicted,
        expected: o.item.filter,
      })),
  },
};
const file = writeResults(HELDOUT_SET, {
  method:
    "a request is correct when its filter selects exactly the labelled records of a synthetic collection (project set: 600 records per schema; held-out: 400 records per request drawn from the literal values of both filters, their neighbours and the set's values)",
  ...previous,
  [values.baseline ? "baseline" : "current"]: run,
});
console.log(`wrote ${file}`);
