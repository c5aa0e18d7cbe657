import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { listModels, readCurrent, verifyVersion } from '../../shared/artifacts/index.ts';
import {
  ARTIFACT_FILE_NAMES,
  type ArtifactFileKey,
  currentPointerPath,
  MANIFEST_FILE,
  versionDir,
} from '../../shared/artifacts/layout.ts';
import { readWorkerIndex } from '../../shared/artifacts/verify.ts';
import { workerIndexFiles } from '../../shared/artifacts/worker-index.ts';
import { ModelNameSchema } from '../../shared/manifest.ts';

/**
 * Uploads published models to an R2 bucket for the Workers build: each model's current version
 * (its files and manifest.json) and then its `current` pointer, under the artifacts folder's layout
 * as object keys (`<model>/<version>/<file>`, `<model>/current`). The pointer goes last, so a worker
 * never sees a version whose files are not all there. Uploads go through wrangler (`wrangler r2 object
 * put`), which uses the account wrangler is logged in to, or with `local` the state `wrangler dev`
 * reads (.wrangler/state beside wrangler.toml, or `persistTo`).
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where an R2 operation goes: a bucket, on the account or in the local state `wrangler dev` serves. */
export const R2_TARGET_FIELDS = {
  artifactsDir: z.string().min(1),
  /** R2's rule for bucket names. */
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
      'bucket names are 3-63 of a-z, 0-9 and -, alphanumeric at both ends',
    ),
  /** The local bucket `wrangler dev` serves instead of the account's real one. */
  local: z.boolean().default(false),
  /** With `local`: wrangler's state folder (wrangler's --persist-to). */
  persistTo: z.string().min(1).optional(),
};

/** `persistTo` names a local state folder, so it goes with `local` only. */
export const persistToNeedsLocal: [
  (options: { local: boolean; persistTo?: string }) => boolean,
  { message: string; path: string[] },
] = [
  (options) => options.local || options.persistTo === undefined,
  { message: 'persistTo applies to the local bucket only', path: ['persistTo'] },
];

export const R2UploadOptionsSchema = z
  .object({
    ...R2_TARGET_FIELDS,
    /** Only this model; every model with a current version when omitted. */
    model: ModelNameSchema.optional(),
  })
  .strict()
  .refine(...persistToNeedsLocal);
export type R2UploadOptions = z.input<typeof R2UploadOptionsSchema>;

export interface R2Object {
  key: string;
  /** The local file uploaded under `key`. */
  path: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.db': 'application/vnd.sqlite3',
  '.html': 'text/html; charset=utf-8',
};

/**
 * What an upload writes, in order. Every version is verified against its manifest first (sha256 of
 * every file), so a damaged artifact is never uploaded.
 */
export async function planR2Upload(artifactsDir: string, model?: string): Promise<R2Object[]> {
  const models = model === undefined ? await listModels(artifactsDir) : [ModelNameSchema.parse(model)];
  const objects: R2Object[] = [];
  for (const name of models) {
    const current = await readCurrent(artifactsDir, name);
    if (!current) {
      if (model !== undefined) throw new Error(`${name} has no current version in ${artifactsDir}`);
      continue;
    }
    const dir = versionDir(artifactsDir, name, current.version);
    const manifest = await verifyVersion(dir);
    // A worker index's shard files go before worker-index.json and the manifest that vouch for them.
    const shardFiles = manifest.files.worker_index
      ? workerIndexFiles(await readWorkerIndex(dir)).map((f) => f.path)
      : [];
    const files = [
      ...shardFiles,
      ...(Object.keys(manifest.files) as ArtifactFileKey[]).map((key) => ARTIFACT_FILE_NAMES[key]),
      MANIFEST_FILE,
    ];
    for (const file of files) {
      objects.push(object(`${name}/${current.version}/${file}`, join(dir, file)));
    }
    objects.push({
      key: `${name}/current`,
      path: currentPointerPath(artifactsDir, name),
      contentType: 'application/json',
    });
  }
  if (objects.length === 0) throw new Error(`no published model with a current version in ${artifactsDir}`);
  return objects;
}

export interface UploadHooks {
  /** Called before each object is uploaded. */
  onObject?: (object: R2Object) => void;
  /** Stops the upload, and the wrangler run in progress. */
  signal?: AbortSignal;
}

/** Uploads the plan's objects one by one, in order; stops at the first failure. */
export async function uploadToR2(input: R2UploadOptions, hooks: UploadHooks = {}): Promise<R2Object[]> {
  const options = R2UploadOptionsSchema.parse(input);
  const artifactsDir = resolve(options.artifactsDir);
  const objects = await planR2Upload(artifactsDir, options.model);
  const where = options.local
    ? ['--local', ...(options.persistTo ? ['--persist-to', resolve(options.persistTo)] : [])]
    : ['--remote'];
  for (const item of objects) {
    hooks.signal?.throwIfAborted();
    hooks.onObject?.(item);
    await runWrangler(
      [
        'r2',
        'object',
        'put',
        `${options.bucket}/${item.key}`,
        '--file',
        item.path,
        '--content-type',
        item.contentType,
        ...where,
      ],
      hooks.signal,
    );
  }
  return objects;
}

/**
 * Runs the project's wrangler from the folder of wrangler.toml; resolves with its stdout. wrangler runs
 * as a tree (its launcher, the CLI, workerd), so when a `signal` may stop it, it gets its own process
 * group and an abort ends the whole group; without one it stays in ours, where Ctrl-C reaches it.
 */
export function runWrangler(args: string[], signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted();
  const wrangler = join(
    dirname(createRequire(import.meta.url).resolve('wrangler/package.json')),
    'bin/wrangler.js',
  );
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [wrangler, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: signal !== undefined,
    });
    const stop = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group has already exited.
      }
    };
    signal?.addEventListener('abort', stop, { once: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      signal?.removeEventListener('abort', stop);
      if (signal?.aborted) return reject(signal.reason);
      if (code === 0) return resolvePromise(stdout);
      const output = `${stdout}${stderr}`.trim();
      reject(new Error(`wrangler ${args.slice(0, 4).join(' ')} failed (exit ${code}):\n${output}`));
    });
  });
}

function object(key: string, path: string): R2Object {
  const extension = path.slice(path.lastIndexOf('.'));
  return { key, path, contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream' };
}
