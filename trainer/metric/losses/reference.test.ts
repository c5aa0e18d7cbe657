import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWasmBackend } from '../testing/backend.ts';
import { LOSS_CASES } from '../testing/loss-cases.ts';
import { describeVariant, embeddingsOf, prepare, variantsFor } from '../testing/loss-harness.ts';

useWasmBackend();

// Each loss against a float64 brute-force evaluation of its formula over every tuple.
describe.each(LOSS_CASES)('$title', (lossCase) => {
  it.each(variantsFor(lossCase).map((v) => [describeVariant(v), v] as const))(
    'matches the reference (%s)',
    (_, variant) => {
      const prepared = prepare(lossCase, variant);
      const embeddings = embeddingsOf(prepared.input);
      const value = prepared.compute(embeddings);
      const expected = lossCase.reference(prepared.input);
      expect(expected).toBeGreaterThan(0);
      // float32 against float64: agreement to a few units of float32 rounding on the loss's scale.
      expect(Math.abs(value.dataSync()[0] - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
      tf.dispose([value, embeddings]);
      prepared.dispose();
    },
  );
});
