import type { TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { parseTextConfig } from '../../trainer/tasks/text/config.ts';
import { loadWordNetDataset } from '../../trainer/tasks/text/data/wordnet-dataset.ts';
import { glossLemmaRetrievalSet } from '../../trainer/tasks/text/data/wordnet-pairs.ts';
import { evaluateTextRetrieval } from '../../trainer/tasks/text/stages/retrieval-eval.ts';
import type { PublishedTextModel } from '../published.ts';
import type { Row } from '../results.ts';
import { target, valueRow } from '../rows.ts';
import { embedFlat } from './served.ts';

const GROUP = 'int8 against fp32: size and retrieval quality';
/** The targets for the int8 file. */
const MAX_SIZE_RATIO = 0.3;
const MAX_MAP_AT_R_GAP_POINTS = 0.5;

/**
 * File sizes and MAP@R of both ONNX files, measured in this run through the edge embedder on the held-out
 * test synsets (gloss -> lemma retrieval, cosine; PML's MAP@R, see trainer/eval/retrieval.ts).
 */
export async function int8QualityRows(
  published: PublishedTextModel,
  edge: { fp32: TextEmbedder; int8: TextEmbedder },
): Promise<Row[]> {
  const { manifest } = published;
  const fp32Bytes = manifest.files.model.bytes;
  const int8Bytes = manifest.files.model_int8.bytes;
  const ratio = int8Bytes / fp32Bytes;

  const config = parseTextConfig(manifest.training.config, `${published.dir} manifest training.config`);
  const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
  const set = glossLemmaRetrievalSet(dataset.test);
  const dim = manifest.embedding.dim;
  const mapAtR = async (embedder: TextEmbedder) => {
    const metrics = await evaluateTextRetrieval((texts) => embedFlat(embedder, texts), set, dim);
    return metrics.overall.mean_average_precision_at_r;
  };
  const fp32Map = await mapAtR(edge.fp32);
  const int8Map = await mapAtR(edge.int8);
  const gapPoints = (int8Map - fp32Map) * 100;
  const queries = `${set.queries.length} test glosses`;

  return [
    valueRow(GROUP, 'fp32 file (model.onnx)', fp32Bytes / 1e6, 'MB'),
    valueRow(GROUP, 'int8 file (model.int8.onnx)', int8Bytes / 1e6, 'MB'),
    valueRow(GROUP, 'int8 size / fp32 size', ratio, 'x', {
      target: target(`<= ${MAX_SIZE_RATIO}`, ratio <= MAX_SIZE_RATIO),
    }),
    valueRow(GROUP, 'MAP@R fp32', fp32Map, '', { note: queries }),
    valueRow(GROUP, 'MAP@R int8', int8Map, '', { note: queries }),
    valueRow(GROUP, 'MAP@R int8 minus fp32', gapPoints, 'points', {
      target: target(`within ±${MAX_MAP_AT_R_GAP_POINTS}`, Math.abs(gapPoints) <= MAX_MAP_AT_R_GAP_POINTS),
    }),
  ];
}
