import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { TEXT_ENCODER_IO } from '../export/onnx-text-encoder.ts';
import { publishVersion } from '../publish/publish.ts';
import type { NewVersion } from './schema.ts';

/**
 * Test-only: published version folders whose files are a few distinct bytes. Registry and pointer logic
 * only checks files against their manifest's sha256, so no model needs training for these tests.
 */
export async function publishFixtureVersion(
  artifactsDir: string,
  model: string,
  version: string,
  createdAt = new Date().toISOString(),
): Promise<void> {
  const staging = await mkdtemp(join(tmpdir(), 'registry-fixture-'));
  try {
    const files = { model: join(staging, 'model.onnx'), model_int8: join(staging, 'model.int8.onnx') };
    await writeFile(files.model, `fp32 ${model}@${version}`);
    await writeFile(files.model_int8, `int8 ${model}@${version}`);
    await publishVersion({
      artifactsDir,
      makeCurrent: false,
      files,
      manifest: {
        schema_version: 1,
        name: model,
        version,
        created_at: createdAt,
        task: 'text-similarity',
        input: {
          kind: 'text',
          featurizer: createTextFeaturizer({ buckets: 64 }).config,
          onnx: TEXT_ENCODER_IO,
        },
        embedding: { dim: 4, distance: 'cosine', normalized: true },
        training: { config: { seed: 1, version }, backend: 'none', steps: 0, seconds: 0, run_id: version },
        data_fingerprint: 'd'.repeat(64),
        metrics: {},
      },
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A candidate record with everything but the identity filled in. */
export function candidate(model: string, version: string, overrides: Partial<NewVersion> = {}): NewVersion {
  return {
    model,
    version,
    status: 'candidate',
    parentVersion: null,
    runId: `${model}-${version}`,
    runDir: null,
    dataFingerprint: 'a'.repeat(64),
    snapshot: { parts: [] },
    config: { seed: 1 },
    configSha256: 'c'.repeat(64),
    reason: 'training',
    publishedAt: null,
    promotedAt: null,
    ...overrides,
  };
}
