import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  listModels,
  listVersions,
  readCurrent,
  setCurrent,
  verifyVersion,
} from '../../shared/artifacts/index.ts';
import { currentPointerPath, versionDir } from '../../shared/artifacts/layout.ts';
import { TextFeaturizerConfigSchema } from '../../shared/featurizer/text.ts';
import { sha256Hex } from '../../shared/hash.ts';
import { initTextEncoder } from '../encoder/text-encoder.ts';
import { exportTextEncoderOnnx, TEXT_ENCODER_IO } from '../export/onnx-text-encoder.ts';
import type { ManifestDraft, PublishFiles } from './publish.ts';
import { publishVersion } from './publish.ts';

let root: string;
let sources: PublishFiles;

beforeEach(() => {
  const work = mkdtempSync(join(tmpdir(), 'publish-'));
  root = join(work, 'artifacts');
  const weights = initTextEncoder(256, { embeddingDim: 8, outputDim: 16 }, 3);
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(work, name), data);
    return join(work, name);
  };
  sources = {
    model: write('fp32.onnx', exportTextEncoderOnnx(weights, { precision: 'fp32' })),
    model_int8: write('int8.onnx', exportTextEncoderOnnx(weights, { precision: 'int8' })),
    report: write('report.html', '<!doctype html><title>report</title>'),
  };
});

afterEach(() => {
  rmSync(join(root, '..'), { recursive: true, force: true });
});

function draft(version: string, createdAt = '2025-01-01T00:00:00.000Z', name = 'tiny'): ManifestDraft {
  return {
    schema_version: 1,
    name,
    version,
    created_at: createdAt,
    task: 'text-similarity',
    input: {
      kind: 'text',
      featurizer: TextFeaturizerConfigSchema.parse({ buckets: 256 }),
      onnx: TEXT_ENCODER_IO,
    },
    embedding: { dim: 16, distance: 'cosine', normalized: true },
    training: { config: {}, backend: 'wasm', steps: 0, seconds: 0, run_id: 'test' },
    data_fingerprint: '0'.repeat(64),
    metrics: {},
  };
}

describe('publishVersion', () => {
  it('writes the version folder with a manifest whose file entries match the published bytes', async () => {
    const { dir, manifest, current } = await publishVersion({
      artifactsDir: root,
      manifest: draft('v1'),
      files: sources,
    });

    expect(dir).toBe(versionDir(root, 'tiny', 'v1'));
    expect(readdirSync(dir).sort()).toEqual([
      'manifest.json',
      'model.int8.onnx',
      'model.onnx',
      'report.html',
    ]);
    expect(readdirSync(join(root, 'tiny')).sort()).toEqual(['current', 'v1']);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    for (const [key, file] of [
      ['model', 'model.onnx'],
      ['model_int8', 'model.int8.onnx'],
      ['report', 'report.html'],
    ] as const) {
      const bytes = readFileSync(sources[key]!);
      expect(manifest.files[key]).toEqual({
        path: file,
        sha256: await sha256Hex(new Uint8Array(bytes)),
        bytes: bytes.length,
      });
    }
    expect(manifest.files.index).toBeUndefined();
    expect(current).toMatchObject({ version: 'v1', previous: null });
    expect(await readCurrent(root, 'tiny')).toEqual(current);
    expect(await verifyVersion(dir)).toEqual(manifest);
  });

  it('refuses to overwrite a version, and leaves the published one untouched', async () => {
    await publishVersion({ artifactsDir: root, manifest: draft('v1'), files: sources });
    const before = readFileSync(join(versionDir(root, 'tiny', 'v1'), 'manifest.json'));
    await expect(
      publishVersion({ artifactsDir: root, manifest: draft('v1'), files: sources }),
    ).rejects.toThrow(/tiny version v1 already exists/);
    expect(readFileSync(join(versionDir(root, 'tiny', 'v1'), 'manifest.json')).equals(before)).toBe(true);
  });

  it('computes the file entries itself: a draft that brings its own is refused', async () => {
    const withFiles = { ...draft('v1'), files: {} } as ManifestDraft;
    await expect(publishVersion({ artifactsDir: root, manifest: withFiles, files: sources })).rejects.toThrow(
      /files/,
    );
  });

  it('refuses names that would leave the artifacts folder', async () => {
    await expect(
      publishVersion({ artifactsDir: root, manifest: draft('../v1'), files: sources }),
    ).rejects.toThrow(/versions are 1-64/);
  });

  it('leaves neither a version nor a temporary folder when a file cannot be copied', async () => {
    await publishVersion({ artifactsDir: root, manifest: draft('v1'), files: sources });
    const broken = { ...sources, report: join(root, 'no-such-report.html') };
    await expect(
      publishVersion({ artifactsDir: root, manifest: draft('v2'), files: broken }),
    ).rejects.toThrow(/ENOENT/);
    expect(readdirSync(join(root, 'tiny')).sort()).toEqual(['current', 'v1']);
    expect((await readCurrent(root, 'tiny'))?.version).toBe('v1');
  });

  it('removes what a killed publish left behind', async () => {
    // The pid of a process that has exited: its temporary folder can only be a leftover.
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const leftover = join(root, 'tiny', `.tmp-v2-${dead}-0123abcd`);
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'model.onnx'), 'partial');
    const live = join(root, 'tiny', `.tmp-v2-${process.pid}-89abcdef`);
    mkdirSync(live);

    await publishVersion({ artifactsDir: root, manifest: draft('v2'), files: sources });
    expect(readdirSync(join(root, 'tiny')).sort()).toEqual([
      `.tmp-v2-${process.pid}-89abcdef`,
      'current',
      'v2',
    ]);
  });
});

describe('verifyVersion', () => {
  it('names the file whose bytes changed', async () => {
    const { dir } = await publishVersion({ artifactsDir: root, manifest: draft('v1'), files: sources });
    const file = join(dir, 'model.int8.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(file, bytes);
    await expect(verifyVersion(dir)).rejects.toThrow(`${file} has sha256`);
  });

  it('names a truncated file and a missing one', async () => {
    const { dir } = await publishVersion({ artifactsDir: root, manifest: draft('v1'), files: sources });
    truncateSync(join(dir, 'report.html'), 5);
    await expect(verifyVersion(dir)).rejects.toThrow(
      `${join(dir, 'report.html')} has 5 bytes, the manifest says 36`,
    );
    rmSync(join(dir, 'model.onnx'));
    await expect(verifyVersion(dir)).rejects.toThrow(`${join(dir, 'model.onnx')} is missing`);
  });

  it('refuses a manifest that describes another folder', async () => {
    const { dir } = await publishVersion({ artifactsDir: root, manifest: draft('v1'), files: sources });
    const moved = join(root, 'tiny', 'v9');
    mkdirSync(moved);
    for (const name of readdirSync(dir)) writeFileSync(join(moved, name), readFileSync(join(dir, name)));
    await expect(verifyVersion(moved)).rejects.toThrow(/describes tiny\/v1, not the folder it is in/);
  });
});

describe('current, listing and switching', () => {
  it('switches `current` forward and back, remembering the previous version', async () => {
    await publishVersion({
      artifactsDir: root,
      manifest: draft('v1', '2025-01-02T00:00:00Z'),
      files: sources,
    });
    const second = await publishVersion({
      artifactsDir: root,
      manifest: draft('v0-hotfix', '2025-01-03T00:00:00.5Z'),
      files: sources,
      makeCurrent: false,
    });
    expect(second.current).toBeUndefined();
    expect((await readCurrent(root, 'tiny'))?.version).toBe('v1');
    // Oldest first by created_at, not by name.
    expect(await listVersions(root, 'tiny')).toEqual(['v1', 'v0-hotfix']);

    expect(await setCurrent(root, 'tiny', 'v0-hotfix')).toMatchObject({
      version: 'v0-hotfix',
      previous: 'v1',
    });
    const rolledBack = await setCurrent(root, 'tiny', 'v1');
    expect(rolledBack).toMatchObject({ version: 'v1', previous: 'v0-hotfix' });
    expect(await setCurrent(root, 'tiny', 'v1')).toEqual(rolledBack);
    expect(readFileSync(currentPointerPath(root, 'tiny'), 'utf8')).toBe(
      `${JSON.stringify(rolledBack, null, 2)}\n`,
    );
    expect(readdirSync(join(root, 'tiny')).sort()).toEqual(['current', 'v0-hotfix', 'v1']);
  });

  it('refuses to point `current` at a version that is not published', async () => {
    await publishVersion({ artifactsDir: root, manifest: draft('v1'), files: sources });
    await expect(setCurrent(root, 'tiny', 'v2')).rejects.toThrow(/cannot read .*tiny\/v2\/manifest\.json/);
    expect((await readCurrent(root, 'tiny'))?.version).toBe('v1');
  });

  it('lists models and reads an absent pointer as undefined', async () => {
    expect(await listModels(root)).toEqual([]);
    await publishVersion({ artifactsDir: root, manifest: draft('v1', undefined, 'beta'), files: sources });
    await publishVersion({
      artifactsDir: root,
      manifest: draft('v1', undefined, 'alpha'),
      files: sources,
      makeCurrent: false,
    });
    mkdirSync(join(root, '.tmp-stray'));
    expect(await listModels(root)).toEqual(['alpha', 'beta']);
    expect(await readCurrent(root, 'alpha')).toBeUndefined();
    expect(await listVersions(root, 'gamma')).toEqual([]);
  });
});
