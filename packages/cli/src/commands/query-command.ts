import { type Filter, ValidationError, validateFilter } from "@ragloom/core";
import { openIndex } from "../index-store.js";
import { emit, type Io } from "../io.js";
import type { PartialSettings, Settings } from "../settings.js";

/** Options of `ragloom query`. */
export interface QueryFlags {
  filter?: string;
}

/** Parses `--filter` JSON into the filter IR. @throws ValidationError / FilterError. */
export function parseFilter(json: string | undefined): Filter | undefined {
  if (json === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ValidationError(`--filter is not valid JSON: ${json}`);
  }
  return validateFilter(raw);
}

/** `ragloom query "..."`: top-k chunks with scores, source, section and page. */
export async function queryCommand(
  question: string,
  flags: QueryFlags,
  settings: Settings,
  explicit: PartialSettings,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  if (question.trim().length === 0) throw new ValidationError("the question is empty");
  const filter = parseFilter(flags.filter);
  const index = await openIndex(settings, explicit, { create: false });
  let result: Awaited<ReturnType<typeof index.retriever.retrieve>>;
  try {
    result = await index.retriever.retrieve(question, { k: settings.k, mode: settings.mode, filter, signal });
  } finally {
    await index.close();
  }
  const { documents, timings } = result;
  const results = documents.map((d, i) => ({
    rank: i + 1,
    id: d.id,
    score: d.score,
    source: d.metadata.source,
    title: d.metadata.title,
    section: d.metadata.section,
    page: d.metadata.page,
    text: d.text,
    metadata: d.metadata,
  }));
  emit(io, { query: question, mode: settings.mode, k: settings.k, results, timings }, () => {
    if (results.length === 0) return ["No results."];
    return results.flatMap((r) => {
      const where = [r.section, r.page !== undefined ? `p. ${r.page}` : undefined].filter(Boolean).join(", ");
      const snippet = r.text.replace(/\s+/g, " ").slice(0, 200);
      return [
        `${r.rank}. [${r.score.toFixed(4)}] ${r.source ?? r.id}${where ? ` (${where})` : ""}`,
        `   ${snippet}`,
      ];
    });
  });
}
