import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
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

/**
 * Files a config names as its catalogue queries (`index.queries`, a path from the repository root):
 * data for the index stage, validated by the text task's own tests, not training configs.
 */
function queryFiles(names: readonly string[]): Set<string> {
  const root = join(CONFIGS, '..');
  const named = names.flatMap((name) => {
    const json = JSON.parse(readFileSync(join(CONFIGS, name), 'utf8'));
    const queries = json?.index?.queries;
    return typeof queries === 'string' ? [relative(CONFIGS, resolve(root, queries))] : [];
  });
  return new Set(named);
}

describe('shipped configs', () => {
  const shipped = shippedConfigs(CONFIGS);
  const queries = queryFiles(shipped);

  it('finds the catalogue queries the default config names', () => {
    expect([...queries]).toContain('catalogue-queries.json');
  });

  it.each(shipped.filter((name) => !isRetrain(name) && !queries.has(name)))('%s validates', (name) => {
    const loaded = loadPipelineConfig(join(CONFIGS, name));
    expect(loaded.config.name).toMatch(/\S/);
  });

  it.each(shipped.filter(isRetrain))('the nightly job config %s validates', (name) => {
    expect(() => loadRetrainConfig(join(CONFIGS, name))).not.toThrow();
  });
});
