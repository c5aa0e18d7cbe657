import { readCurrent } from '../shared/artifacts/current.ts';
import { versionDir } from '../shared/artifacts/layout.ts';
import { listModels } from '../shared/artifacts/listing.ts';

/** The folder of a published version of `model` (its current one unless `version` is given), or a clear error. */
export async function publishedVersionDir(
  artifacts: string,
  model: string,
  version?: string,
): Promise<string> {
  const models = await listModels(artifacts);
  if (!models.includes(model)) {
    throw new Error(
      `no published model ${model} in ${artifacts}` +
        (models.length ? `; published: ${models.join(', ')}` : '; publish one with dml-edge pipeline'),
    );
  }
  const chosen = version ?? (await readCurrent(artifacts, model))?.version;
  if (!chosen) throw new Error(`${model} has no current version in ${artifacts}; pass --version`);
  return versionDir(artifacts, model, chosen);
}
