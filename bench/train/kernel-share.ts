import type { Row } from '../results.ts';
import { valueRow } from '../rows.ts';

const LISTED_KERNELS = 8;

/**
 * Where a step's time goes: kernel time from tf.profile, summed by kernel name and averaged over the
 * profiled steps, as a share of the unprofiled median step time (profiling slows the step itself). What
 * no kernel accounts for is the JavaScript around them: featurizing, gathering rows, Adam on plain
 * arrays, tfjs bookkeeping.
 */
export function kernelShareRows(
  group: string,
  profiles: readonly { name: string; ms: number }[][],
  medianStepMs: number,
): Row[] {
  const byKernel = new Map<string, number>();
  for (const kernels of profiles) {
    for (const { name, ms } of kernels) byKernel.set(name, (byKernel.get(name) ?? 0) + ms / profiles.length);
  }
  const ranked = [...byKernel.entries()].sort((a, b) => b[1] - a[1]);
  const share = (ms: number) => (100 * ms) / medianStepMs;
  const totalMs = ranked.reduce((sum, [, ms]) => sum + ms, 0);
  const others = ranked.slice(LISTED_KERNELS);
  const othersMs = others.reduce((sum, [, ms]) => sum + ms, 0);
  const note = (ms: number) => `${ms.toFixed(2)} ms per step`;
  return [
    ...ranked
      .slice(0, LISTED_KERNELS)
      .map(([name, ms]) => valueRow(group, name, share(ms), '%', { note: note(ms) })),
    valueRow(group, `${others.length} other kernels`, share(othersMs), '%', { note: note(othersMs) }),
    valueRow(group, 'outside tf kernels (JavaScript)', Math.max(0, 100 - share(totalMs)), '%', {
      note: `median step ${medianStepMs.toFixed(1)} ms, kernels ${totalMs.toFixed(1)} ms`,
    }),
  ];
}
