import { openPublishedTextModel } from '../pipeline/eval-published.ts';
import { initCnn } from '../tasks/image/cnn.ts';
import { embedSet } from '../tasks/image/image-metrics.ts';
import { testSplit } from '../tasks/image/stages/evaluate.ts';
import { loadTrainedImageModel } from '../tasks/image/stages/weights.ts';
import { parseTextConfig } from '../tasks/text/config.ts';
import { loadWordNetDataset } from '../tasks/text/data/wordnet-dataset.ts';
import { fitTfidf, TFIDF_BASELINES } from '../tasks/text/similarity/tfidf.ts';
import { embedTextsWith } from '../tasks/text/stages/retrieval-eval.ts';
import { denseRepresentation, tfidfRepresentation } from './representations.ts';
import type { Contender } from './run-episodes.ts';

/** Items with classes, and the classifiers to compare on them: one few-shot case. */
export interface FewShotCase {
  model: string;
  description: string;
  labels: Int32Array;
  classNames: readonly string[];
  contenders: Contender[];
}

/**
 * WordNet glosses into their lexicographer file (noun.animal, verb.motion, ...): the model's own held-out
 * test synsets, so no gloss was trained on, and the model never saw lexicographer files as targets. The
 * TF-IDF baseline is fitted on the training synsets' glosses.
 */
export async function wordnetLexnameCase(versionDir: string): Promise<FewShotCase> {
  const { manifest, embedder, file } = await openPublishedTextModel(versionDir, 'the wordnet few-shot case');
  try {
    const config = parseTextConfig(manifest.training.config, `${manifest.name}@${manifest.version} manifest`);
    const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
    const glosses = dataset.test.map((synset) => synset.gloss);
    const classNames = [...new Set(dataset.test.map((synset) => synset.lexname))].sort();
    const labels = Int32Array.from(dataset.test, (synset) => classNames.indexOf(synset.lexname));
    const embeddings = denseRepresentation(
      `${manifest.name} (${file})`,
      await embedTextsWith(embedder)(glosses),
      manifest.embedding.dim,
    );
    const tfidf = tfidfRepresentation(
      'TF-IDF char 3-5-grams',
      fitTfidf(
        dataset.train.map((synset) => synset.gloss),
        TFIDF_BASELINES.tfidf_char,
      ),
      glosses,
    );
    return {
      model: `${manifest.name}@${manifest.version}`,
      description: `WordNet glosses of ${glosses.length} held-out synsets into their lexicographer file`,
      labels,
      classNames,
      contenders: [
        { representation: embeddings, method: 'prototype' },
        { representation: embeddings, method: 'logistic' },
        { representation: tfidf, method: 'prototype' },
      ],
    };
  } finally {
    await embedder.release();
  }
}

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
