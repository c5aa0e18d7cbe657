import { Command, Option } from 'commander';
import { uploadToR2 } from '../../trainer/publish/r2.ts';
import { type ArtifactsFlag, artifactsDir, artifactsOption } from '../options.ts';

export interface R2Flags {
  target?: 'r2';
  bucket: string;
  local?: boolean;
  persistTo?: string;
}

/** The flags that say where an upload to R2 goes (`upload`, and `publish --target r2`). */
export function r2Options(command: Command, required = false): Command {
  const target = new Option('--target <target>', 'upload to an R2 bucket for the Workers build').choices([
    'r2',
  ]);
  return command
    .addOption(required ? target.makeOptionMandatory() : target)
    .addOption(
      new Option('--bucket <name>', 'the R2 bucket (as in wrangler.toml)').default('dml-edge-models'),
    )
    .addOption(new Option('--local', "the local bucket `npm run dev:worker` serves, not the account's"))
    .addOption(
      new Option('--persist-to <dir>', "with --local: wrangler's state folder (default .wrangler/state)"),
    );
}

/** Uploads the current version of `model` (or of every model) to the bucket the flags name. */
export async function uploadCurrentToR2(flags: R2Flags, artifacts: string, model?: string): Promise<void> {
  const objects = await uploadToR2(
    {
      artifactsDir: artifacts,
      bucket: flags.bucket,
      local: flags.local === true,
      persistTo: flags.persistTo,
      model,
    },
    { onObject: (object) => process.stderr.write(`uploading ${object.key}\n`) },
  );
  process.stdout.write(`uploaded ${objects.length} objects to ${flags.local ? 'the local' : 'R2'} bucket\n`);
}

export function uploadCommand(): Command {
  return r2Options(
    new Command('upload').description(
      'upload the current version of published models to an R2 bucket for the Workers build',
    ),
    true,
  )
    .addOption(new Option('--model <name>', 'only this model (default: every model with a current version)'))
    .addOption(artifactsOption())
    .action(async (flags: R2Flags & ArtifactsFlag & { model?: string }) => {
      await uploadCurrentToR2(flags, artifactsDir(flags), flags.model);
    });
}
