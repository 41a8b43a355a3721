import { createTwoFilesPatch, diffLines } from "diff";
import { stringify as stringifyYaml } from "yaml";
import type { PromptVersion } from "../stores/types.js";
import type { PromptContent } from "../template/content.js";

/** One hunk of a line diff (jsdiff's `Change`). */
export interface DiffChange {
  /** The lines, newline-terminated. */
  value: string;
  /** Number of lines. */
  count: number;
  added: boolean;
  removed: boolean;
}

/** A diff between two versions of a prompt. */
export interface PromptDiff {
  name: string;
  from: number;
  to: number;
  /** True when the content hashes are equal. */
  identical: boolean;
  /** Line changes between the YAML renderings of both contents (jsdiff `diffLines`). */
  changes: DiffChange[];
  /** The same diff as a unified patch (jsdiff `createTwoFilesPatch`), e.g. for a terminal or a PR comment. */
  patch: string;
  /** Lines added and removed. */
  added: number;
  removed: number;
}

/** A readable, stable text form of prompt content (YAML, templates as literal blocks). */
export function contentToText(content: PromptContent): string {
  return stringifyYaml(content, { blockQuote: "literal", lineWidth: 0 });
}

/**
 * Line diff of two versions' contents with jsdiff (Myers' O(ND) difference algorithm,
 * Myers 1986). Author, message and dates are not diffed.
 */
export function diffVersions(a: PromptVersion, b: PromptVersion, context = 3): PromptDiff {
  const left = contentToText(a.content);
  const right = contentToText(b.content);
  const changes = diffLines(left, right).map((c) => ({
    value: c.value,
    count: c.count ?? 0,
    added: Boolean(c.added),
    removed: Boolean(c.removed),
  }));
  return {
    name: a.name,
    from: a.version,
    to: b.version,
    identical: a.hash === b.hash,
    changes,
    patch: createTwoFilesPatch(
      `${a.name}@v${a.version}`,
      `${b.name}@v${b.version}`,
      left,
      right,
      a.hash,
      b.hash,
      {
        context,
      },
    ),
    added: changes.filter((c) => c.added).reduce((s, c) => s + c.count, 0),
    removed: changes.filter((c) => c.removed).reduce((s, c) => s + c.count, 0),
  };
}
