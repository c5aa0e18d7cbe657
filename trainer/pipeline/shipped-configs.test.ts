import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRetrainConfig } from '../retrain/config.ts';
import { loadPipelineConfig } from './pipeline-config.ts';

const CONFIGS = new URL('../../configs/', import.meta.url).pathname;

/** Every config file the repository ships, relative to configs/. */
function shippedConfigs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return shippedConfigs(path);
    return entry.name.endsWith('.json') ? [relative(CONFIGS, path)] : [];
  });
}
const isRetrain = (name: string) => name.startsWith('retrain-');

describe('shipped configs', () => {
  it.each(shippedConfigs(CONFIGS).filter((name) => !isRetrain(name)))('%s validates', (name) => {
    const loaded = loadPipelineConfig(join(CONFIGS, name));
    expect(loaded.config.name).toMatch(/\S/);
  });

  it.each(shippedConfigs(CONFIGS).filter(isRetrain))('the nightly job config %s validates', (name) => {
    expect(() => loadRetrainConfig(join(CONFIGS, name))).not.toThrow();
  });
});
