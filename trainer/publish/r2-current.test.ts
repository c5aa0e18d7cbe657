import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setCurrent } from '../../shared/artifacts/current.ts';
import { parseCurrentPointer } from '../../shared/artifacts/layout.ts';
import { publishTinyVersion } from '../../test/fixtures/tiny-version.ts';
import { runWrangler, uploadToR2 } from './r2.ts';
import { switchR2Current } from './r2-current.ts';

let work: string;
let artifacts: string;
let persistTo: string;

function publish(version: string, seed: number) {
  return publishTinyVersion({ artifactsDir: artifacts, work: work, name: 'tiny', version, seed });
}

const bucketPointer = async () =>
  parseCurrentPointer(
    await runWrangler([
      'r2',
      'object',
      'get',
      'dml-edge-models/tiny/current',
      '--pipe',
      '--local',
      '--persist-to',
      persistTo,
    ]),
    'tiny/current',
  );

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'r2-switch-'));
  artifacts = join(work, 'artifacts');
  persistTo = join(work, 'wrangler');
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('switching `current` in R2 (models promote|rollback --target r2)', () => {
  it('uploads a version the bucket lacks before its pointer, and moves only the pointer back', async () => {
    await publish('v1', 1);
    await uploadToR2({ artifactsDir: artifacts, bucket: 'dml-edge-models', local: true, persistTo });
    await publish('v2', 2);
    const options = {
      artifactsDir: artifacts,
      model: 'tiny',
      bucket: 'dml-edge-models',
      local: true,
      persistTo,
    };

    // Promoted locally (the registry's promote does this), then the bucket follows.
    const promoted = await switchR2Current(options);
    expect(promoted.version).toBe('v2');
    expect(promoted.uploaded.map((object) => object.key)).toEqual([
      'tiny/v2/model.onnx',
      'tiny/v2/model.int8.onnx',
      'tiny/v2/manifest.json',
      'tiny/current',
    ]);
    expect(await bucketPointer()).toMatchObject({ version: 'v2', previous: 'v1' });

    await setCurrent(artifacts, 'tiny', 'v1');
    const rolledBack = await switchR2Current(options);
    expect(rolledBack.uploaded.map((object) => object.key)).toEqual(['tiny/current']);
    expect(await bucketPointer()).toMatchObject({ version: 'v1', previous: 'v2' });
  }, 180_000);

  it('refuses a model without a current version, before touching the bucket', async () => {
    await expect(
      switchR2Current({
        artifactsDir: artifacts,
        model: 'tiny',
        bucket: 'dml-edge-models',
        local: true,
        persistTo,
      }),
    ).rejects.toThrow(/tiny has no current version/);
  });
});
