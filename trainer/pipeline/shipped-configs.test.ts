import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from './pipeline-config.ts';

const CONFIGS = new URL('../../configs/', import.meta.url).pathname;

/** Every training config the repository ships (retrain-*.json are nightly-job configs, tested with it). */
function trainingConfigs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return trainingConfigs(path);
    return entry.name.endsWith('.json') && !entry.name.startsWith('retrain-') ? [path] : [];
  });
}

describe('shipped configs', () => {
  it.each(trainingConfigs(CONFIGS).map((path) => relative(CONFIGS, path)))('%s validates', (name) => {
    const loaded = loadPipelineConfig(join(CONFIGS, name));
    expect(loaded.config.name).toMatch(/\S/);
  });
});
