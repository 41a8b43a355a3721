/**
 * A fixed, seeded split of ids into a tuning part and a held-out part: Fisher-Yates shuffle driven
 * by mulberry32 (a 32-bit PRNG), the first `round(fraction · n)` shuffled ids held out. The same
 * ids and seed always give the same split.
 */
export function holdoutSplit(
  ids: string[],
  fraction: number,
  seed: number,
): { tune: Set<string>; heldOut: Set<string> } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const shuffled = [...ids].sort();
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const cut = Math.round(fraction * ids.length);
  return { heldOut: new Set(shuffled.slice(0, cut)), tune: new Set(shuffled.slice(cut)) };
}
