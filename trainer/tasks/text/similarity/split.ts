import { mulberry32 } from '../../../../shared/random.ts';
import type { ScoredPair } from './scored-pair.ts';

/**
 * A seeded split of pairs that keeps pairs sharing a sentence (directly or through other pairs) on one
 * side, so that no held-out sentence was seen in training. PAWS builds several pairs from one source
 * sentence; STS-B reuses a few sentences too.
 */
export function splitKeepingSharedTexts(
  pairs: readonly ScoredPair[],
  heldOutFraction: number,
  seed: number,
): { train: ScoredPair[]; heldOut: ScoredPair[] } {
  const parent = pairs.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root];
    while (parent[i] !== root) [parent[i], i] = [root, parent[i]];
    return root;
  };
  const firstPairOf = new Map<string, number>();
  pairs.forEach((pair, i) => {
    for (const text of [pair.a, pair.b]) {
      const other = firstPairOf.get(text);
      if (other === undefined) firstPairOf.set(text, i);
      else parent[find(i)] = find(other);
    }
  });
  const random = mulberry32(seed);
  const heldOutRoot = new Map<number, boolean>();
  const train: ScoredPair[] = [];
  const heldOut: ScoredPair[] = [];
  pairs.forEach((pair, i) => {
    const root = find(i);
    if (!heldOutRoot.has(root)) heldOutRoot.set(root, random() < heldOutFraction);
    (heldOutRoot.get(root) ? heldOut : train).push(pair);
  });
  return { train, heldOut };
}
