import type { FewShotCase } from '../../fewshot/case.ts';
import { denseRepresentation, tfidfRepresentation } from '../../fewshot/representations.ts';
import { parseTextConfig } from './config.ts';
import { loadWordNetDataset } from './data/wordnet-dataset.ts';
import { openPublishedTextModel } from './eval-published.ts';
import { fitTfidf, TFIDF_BASELINES } from './similarity/tfidf.ts';
import { embedTextsWith } from './stages/retrieval-eval.ts';

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
