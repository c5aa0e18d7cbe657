import type { FewShotCase } from '../../fewshot/case.ts';
import { denseRepresentation } from '../../fewshot/representations.ts';
import { initCnn } from './cnn.ts';
import { embedSet } from './image-metrics.ts';
import { testSplit } from './stages/evaluate.ts';
import { loadTrainedImageModel } from './stages/weights.ts';

/**
 * An image run's test images (for a class-disjoint protocol, classes it never trained or selected on),
 * with the trained CNN of its best checkpoint, the same CNN untrained and raw pixels.
 */
export function imageRunCase(runDir: string): FewShotCase {
  const { config, weights } = loadTrainedImageModel(runDir);
  const { test, description } = testSplit(config);
  const dim = weights.shape.embeddingDim;
  const trained = denseRepresentation(
    `${config.name} (trained CNN)`,
    embedSet(weights, test, config.normalization),
    dim,
  );
  const untrained = denseRepresentation(
    'same CNN untrained',
    embedSet(initCnn(config.model, config.seed), test, config.normalization),
    dim,
  );
  const pixels = denseRepresentation('raw pixels', Float32Array.from(test.pixels), test.height * test.width);
  return {
    model: `${config.name} (run ${runDir})`,
    description: `${test.count} test images; ${description}`,
    labels: test.labels,
    classNames: test.classNames,
    contenders: [
      { representation: trained, method: 'prototype' },
      { representation: trained, method: 'logistic' },
      { representation: untrained, method: 'prototype' },
      { representation: pixels, method: 'prototype' },
    ],
  };
}
