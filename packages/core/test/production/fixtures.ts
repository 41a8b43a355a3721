import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SCIFACT_DIR } from "../../../../test/services.js";
import type { Document } from "../../src/index.js";

/** The first `n` SciFact corpus documents (`title + " " + text`) with a `year`-like tenant field. */
export function scifactDocs(n: number): Document[] {
  const lines = readFileSync(join(SCIFACT_DIR, "corpus.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .slice(0, n);
  return lines.map((l, i) => {
    const d = JSON.parse(l) as { _id: string; title: string; text: string };
    return { id: d._id, text: `${d.title} ${d.text}`, metadata: { tenant: i % 2 === 0 ? "a" : "b" } };
  });
}

/** The first `n` SciFact train queries. */
export function scifactQueries(n: number): string[] {
  return readFileSync(join(SCIFACT_DIR, "queries.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .slice(0, n)
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

/** Calls of one Redis command so far, from `INFO commandstats`. */
export async function redisCalls(
  client: { info(section: string): Promise<string> },
  command: string,
): Promise<number> {
  const info = await client.info("commandstats");
  const m = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return m ? Number(m[1]) : 0;
}
