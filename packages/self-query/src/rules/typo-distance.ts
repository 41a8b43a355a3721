/** How far a typed word is from a value, and how far it may be. */
import { distance } from "fastest-levenshtein";

/**
 * Edit distance with adjacent transpositions counted once (optimal string alignment), from
 * fastest-levenshtein's Levenshtein distance: `samsnug` → `samsung` is 1.
 */
export function typoDistance(a: string, b: string): number {
  const d = distance(a, b);
  if (d === 2 && a.length === b.length) {
    const diff: number[] = [];
    for (let k = 0; k < a.length && diff.length <= 2; k++) if (a[k] !== b[k]) diff.push(k);
    if (
      diff.length === 2 &&
      diff[1] === diff[0]! + 1 &&
      a[diff[0]!] === b[diff[1]!] &&
      a[diff[1]!] === b[diff[0]!]
    )
      return 1;
  }
  return d;
}

/** Largest edit distance tolerated for a word of `length` characters (0 below 5). */
export function typoBudget(length: number): number {
  if (length >= 9) return 2;
  if (length >= 5) return 1;
  return 0;
}
