import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseOrThrow } from '../../shared/validation.ts';
import { readJsonFile } from '../config/read-json-file.ts';
import { loadTextConfig, parseTextConfig, type TextConfig } from '../config/text-config.ts';
import { GateSchema } from './gate.ts';

/**
 * A retrain job's config (configs/retrain-*.json): which model to train (a training config, by path
 * relative to this file or inline), the promotion gate, and whether to build the HTML report.
 */
export const RetrainConfigSchema = z
  .object({
    training: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    gate: GateSchema.default(GateSchema.parse({})),
    /** The report stage renders maps and tables (tens of seconds on the full model); tests skip it. */
    report: z.boolean().default(true),
  })
  .strict();

export interface RetrainConfig {
  training: TextConfig;
  gate: z.infer<typeof GateSchema>;
  report: boolean;
}

export function loadRetrainConfig(path: string): RetrainConfig {
  return parseRetrainConfig(readJsonFile(path), path);
}

/** Validates a retrain config; a training config given by path is read relative to `source`'s folder. */
export function parseRetrainConfig(json: unknown, source: string): RetrainConfig {
  const { training, gate, report } = parseOrThrow(
    RetrainConfigSchema,
    json,
    `${source}: invalid retrain config`,
  );
  return {
    training:
      typeof training === 'string'
        ? loadTextConfig(resolve(dirname(source), training))
        : parseTextConfig(training, `${source} (training)`),
    gate,
    report,
  };
}
