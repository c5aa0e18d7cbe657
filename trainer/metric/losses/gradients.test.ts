import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWasmBackend } from '../testing/backend.ts';
import { unflatten } from '../testing/data.ts';
import { numericGradient, relativeError } from '../testing/gradients.ts';
import { LOSS_CASES } from '../testing/loss-cases.ts';
import { describeVariant, embeddingsOf, prepare, variantsFor } from '../testing/loss-harness.ts';

useWasmBackend();

// tf's autodiff gradient of each loss against central differences of its float64 reference, with respect
// to the embeddings and to every learnable parameter. Circle's reference keeps its weights at the
// unperturbed embeddings, as PML detaches them.
describe.each(LOSS_CASES)('$title', (lossCase) => {
  const variants = variantsFor(lossCase);
  it.each([variants[0], variants[variants.length - 1]].map((v) => [describeVariant(v), v] as const))(
    'has the finite-difference gradient (%s)',
    (_, variant) => {
      const prepared = prepare(lossCase, variant);
      const { input, loss } = prepared;
      const rows = input.E.length;
      const dim = input.E[0].length;
      const embeddings = embeddingsOf(input);

      const grad = tf.grad((e) => prepared.compute(e as tf.Tensor2D))(embeddings);
      const numeric = numericGradient(
        (values) => lossCase.reference({ ...input, E: unflatten(values, rows, dim), frozen: input.E }),
        input.E.flat(),
      );
      expect(relativeError(grad.dataSync(), numeric)).toBeLessThan(2e-3);

      for (const [name, variable] of Object.entries(loss.parameters)) {
        const { grads, value } = tf.variableGrads(() => prepared.compute(embeddings), [variable]);
        const shape = input.params[name];
        const numericParams = numericGradient(
          (values) =>
            lossCase.reference({
              ...input,
              params: { ...input.params, [name]: unflatten(values, shape.length, shape[0].length) },
            }),
          shape.flat(),
        );
        expect(relativeError(grads[variable.name].dataSync(), numericParams), name).toBeLessThan(2e-3);
        tf.dispose([value, grads[variable.name]]);
      }
      tf.dispose([grad, embeddings]);
      prepared.dispose();
    },
  );
});
