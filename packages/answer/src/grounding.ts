/**
 * Phrases by which a model says that the sources do not answer the question. The first must open
 * the answer; the others count only in an answer without a valid citation.
 */
export const DEFAULT_DECLINE_PATTERNS: readonly RegExp[] = [
  /^\W*(?:i\s+(?:do\s+not|don'?t|don’t)\s+know|i\s+cannot\s+answer|i\s+can'?t\s+answer)\b/i,
  /\b(?:sources?|context|documents?)\s+(?:does|do|did)\s+not\s+(?:contain|provide|mention|include|say|answer)\b/i,
  /\bno\s+(?:information|answer)\s+(?:is\s+)?(?:given|provided|available|found)\b/i,
];

/**
 * Whether `text` declines to answer: it opens with the first pattern, or, when it has no valid
 * citation, matches any pattern.
 */
export function isDeclined(
  text: string,
  validCitations: number,
  patterns: readonly RegExp[] = DEFAULT_DECLINE_PATTERNS,
): boolean {
  if (patterns.length === 0) return false;
  if (patterns[0]!.test(text)) return true;
  return validCitations === 0 && patterns.some((p) => p.test(text));
}
