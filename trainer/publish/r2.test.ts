import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentPointerPath, versionDir } from '../../shared/artifacts/layout.ts';
import { publishTinyVersion } from '../../test/fixtures/tiny-version.ts';
import { planR2Upload, runWrangler, uploadToR2 } from './r2.ts';

let work: string;
let artifacts: string;

function publish(name: string, version: string, options: { makeCurrent?: boolean; index?: boolean } = {}) {
  return publishTinyVersion({ artifactsDir: artifacts, work, name, version, ...options });
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'r2-upload-'));
  artifacts = join(work, 'artifacts');
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('planR2Upload', () => {
  it("lists each model's current version under the layout's keys, its `current` pointer last", async () => {
    await publish('tiny', 'v1', { index: true });
    await publish('tiny', 'v2', { index: true });
    await publish('draft', 'v1', { makeCurrent: false });
    await publish('another', 'v7');

    const plan = await planR2Upload(artifacts);
    expect(plan.map((o) => [o.key, o.contentType])).toEqual([
      ['another/v7/model.onnx', 'application/octet-stream'],
      ['another/v7/model.int8.onnx', 'application/octet-stream'],
      ['another/v7/manifest.json', 'application/json'],
      ['another/current', 'application/json'],
      ['tiny/v2/model.onnx', 'application/octet-stream'],
      ['tiny/v2/model.int8.onnx', 'application/octet-stream'],
      ['tiny/v2/index.db', 'application/vnd.sqlite3'],
      ['tiny/v2/manifest.json', 'application/json'],
      ['tiny/current', 'application/json'],
    ]);
    expect(plan[6].path).toBe(join(versionDir(artifacts, 'tiny', 'v2'), 'index.db'));
    expect(plan[8].path).toBe(currentPointerPath(artifacts, 'tiny'));

    expect((await planR2Upload(artifacts, 'another')).map((o) => o.key)).toEqual([
      'another/v7/model.onnx',
      'another/v7/model.int8.onnx',
      'another/v7/manifest.json',
      'another/current',
    ]);
  });

  it('refuses a model with nothing current, and a version whose files do not match its manifest', async () => {
    await publish('draft', 'v1', { makeCurrent: false });
    await expect(planR2Upload(artifacts, 'draft')).rejects.toThrow(
      `draft has no current version in ${artifacts}`,
    );
    await expect(planR2Upload(artifacts)).rejects.toThrow('no published model with a current version');

    await publish('tiny', 'v1');
    const file = join(versionDir(artifacts, 'tiny', 'v1'), 'model.int8.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 1;
    writeFileSync(file, bytes);
    await expect(planR2Upload(artifacts, 'tiny')).rejects.toThrow(`${file} has sha256`);
  });
});

describe('uploadToR2', () => {
  // Six wrangler runs (four uploads, two reads), each starting workerd: about 15 s on an idle 2-core
  // machine, minutes when other jobs saturate it. The signal stops wrangler before the test gives up,
  // so a slow run leaves no wrangler behind writing into a deleted folder.
  it('writes the objects into the local bucket `wrangler dev` serves', { timeout: 300_000 }, async () => {
    const signal = AbortSignal.timeout(290_000);
    await publish('tiny', 'v1');
    const persistTo = join(work, 'state');
    const uploaded: string[] = [];
    await uploadToR2(
      { artifactsDir: artifacts, bucket: 'dml-edge-test', local: true, persistTo },
      { onObject: (o) => uploaded.push(o.key), signal },
    );
    expect(uploaded).toEqual([
      'tiny/v1/model.onnx',
      'tiny/v1/model.int8.onnx',
      'tiny/v1/manifest.json',
      'tiny/current',
    ]);

    const modelCopy = join(work, 'model-copy.onnx');
    const get = (key: string, ...output: string[]) =>
      runWrangler(
        ['r2', 'object', 'get', `dml-edge-test/${key}`, '--local', '--persist-to', persistTo, ...output],
        signal,
      );
    // One at a time: two wrangler runs on one local state race for its SQLite files (SQLITE_BUSY).
    const pointer = await get('tiny/current', '--pipe');
    await get('tiny/v1/model.int8.onnx', '--file', modelCopy);
    expect(pointer).toBe(readFileSync(currentPointerPath(artifacts, 'tiny'), 'utf8'));
    expect(
      readFileSync(modelCopy).equals(
        readFileSync(join(versionDir(artifacts, 'tiny', 'v1'), 'model.int8.onnx')),
      ),
    ).toBe(true);
  });

  it('stops wrangler, and everything it started, when aborted', async () => {
    await publish('tiny', 'v1');
    const controller = new AbortController();
    let abortedAt = Number.NaN;
    const abortSoon = () =>
      setTimeout(() => {
        abortedAt = performance.now();
        controller.abort(new Error('stop'));
      }, 200);
    const upload = uploadToR2(
      { artifactsDir: artifacts, bucket: 'dml-edge-test', local: true, persistTo: join(work, 'state') },
      { onObject: abortSoon, signal: controller.signal },
    );
    // Settles only once wrangler's whole process tree has exited and closed its output: at once when
    // killed, not after the upload (seconds, or a minute on a busy machine) would have finished.
    await expect(upload).rejects.toThrow('stop');
    expect(performance.now() - abortedAt).toBeLessThan(5_000);
  });

  it('refuses options wrangler would refuse, before uploading anything', async () => {
    await publish('tiny', 'v1');
    await expect(uploadToR2({ artifactsDir: artifacts, bucket: 'B', local: true })).rejects.toThrow(
      /bucket names/,
    );
    await expect(
      uploadToR2({ artifactsDir: artifacts, bucket: 'dml-edge-x', persistTo: work }),
    ).rejects.toThrow(/persistTo applies to the local bucket only/);
  });
});
