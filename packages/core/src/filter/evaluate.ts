import type { Metadata } from "../types/document.js";
import { compileNormal } from "./compile.js";
import { pushDownNot } from "./normalize.js";
import type { Filter } from "./types.js";
import { validateFilter } from "./validate.js";

/**
 * Compiles a filter into a predicate over `(metadata, text)`, evaluated in process with the
 * semantics documented on {@link Filter}. Validates first. Compile once per query, not per
 * record: long `in`/`nin` lists, and `or`s of `eq`s over one field, are hashed into a `Set`
 * here, so testing a record costs O(1) per such list.
 * @throws FilterError when the filter is invalid (see {@link validateFilter}).
 */
export function compileFilter(filter: Filter | unknown): (metadata: Metadata, text?: string) => boolean {
  const match = compileNormal(pushDownNot(validateFilter(filter)));
  return (metadata, text = "") => match(metadata, text);
}

/** Evaluates one filter against one record. Prefer {@link compileFilter} in loops. */
export function matchesFilter(filter: Filter, metadata: Metadata, text = ""): boolean {
  return compileFilter(filter)(metadata, text);
}
