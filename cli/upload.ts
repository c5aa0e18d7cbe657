import { uploadToR2 } from '../trainer/publish/r2.ts';

type Values = Record<string, string | boolean | undefined>;

/** The flags that say where an upload to R2 goes (`upload`, and `publish --target r2`). */
export const r2Options = {
  target: { type: 'string' },
  bucket: { type: 'string' },
  local: { type: 'boolean' },
  'persist-to': { type: 'string' },
} as const;

export const r2Help: [string, string][] = [
  ['--target r2', 'upload to an R2 bucket for the Workers build (r2 is the only target)'],
  ['--bucket <name>', 'the R2 bucket (default dml-edge-models, as in wrangler.toml)'],
  ['--local', "the local bucket `npm run dev:worker` serves, not the account's"],
  ['--persist-to <dir>', "with --local: wrangler's state folder (default .wrangler/state)"],
];

/** Fails on a target other than r2 (before any work is done). */
export function checkR2Target(values: Values): void {
  if (values.target !== 'r2') throw new Error(`--target must be r2; got '${values.target ?? ''}'`);
}

/** Uploads the current version of `model` (or of every model) to the bucket the flags name. */
export async function uploadCurrentToR2(values: Values, artifactsDir: string, model?: string): Promise<void> {
  checkR2Target(values);
  const objects = await uploadToR2(
    {
      artifactsDir,
      bucket: String(values.bucket ?? 'dml-edge-models'),
      local: values.local === true,
      persistTo: values['persist-to'] as string | undefined,
      model,
    },
    { onObject: (object) => process.stderr.write(`uploading ${object.key}\n`) },
  );
  process.stdout.write(`uploaded ${objects.length} objects to ${values.local ? 'the local' : 'R2'} bucket\n`);
}
