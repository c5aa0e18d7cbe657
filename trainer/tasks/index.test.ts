import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestSchema } from '../../shared/manifest.ts';
import { loadPipelineConfig, parsePipelineConfig, runPipeline } from '../pipeline/pipeline-config.ts';
import { createProgress } from '../train/progress.ts';
import { retrainHooksOf, TASK_NAMES, TASKS } from './index.ts';

const CONFIGS = join(import.meta.dirname, '../../configs');

describe('the task registry', () => {
  it('names each task once, as the published manifest names it', () => {
    expect(new Set(TASK_NAMES).size).toBe(TASKS.length);
    expect([...TASK_NAMES].sort()).toEqual([...ManifestSchema.shape.task.options].sort());
  });

  it("reads a config by its task's schema; no task field is text; an unknown task names every known one", () => {
    expect(loadPipelineConfig(join(CONFIGS, 'wordnet-text.json')).task).toBe('text-similarity');
    expect(loadPipelineConfig(join(CONFIGS, 'shapes-tiny.json')).task).toBe('image-similarity');
    expect(() => parsePipelineConfig({ task: 'audio', name: 'x' }, 'x.json', '.')).toThrow(
      'x.json: invalid config\n  task: must be one of text-similarity, image-similarity, recommendation; got "audio"',
    );
    // The task's own schema reports its fields.
    expect(() => parsePipelineConfig({ task: 'image-similarity' }, 'y.json', '.')).toThrow(
      /^y\.json: invalid config:\n {2}name: /,
    );
  });

  it('refuses --shards for a task whose index has no Workers shards, before any work', () => {
    const loaded = loadPipelineConfig(join(CONFIGS, 'shapes-tiny.json'));
    expect(() =>
      runPipeline(loaded, {
        runDir: '/nonexistent',
        runId: 'r',
        version: 'v1',
        backend: { requested: 'cpu', name: 'cpu', package: '@tensorflow/tfjs' },
        progress: createProgress(),
        artifactsDir: '/nonexistent',
        stages: ['index'],
        sharding: { shards: 2 },
      }),
    ).toThrow(
      "sharding the Workers index applies to text-similarity configs; this run's task is image-similarity",
    );
  });

  it("gives each retrainable task's gate its headline metric, and says why the image task is not retrained", () => {
    const text = loadPipelineConfig(join(CONFIGS, 'wordnet-text.json'));
    expect(retrainHooksOf(text, 'r.json').defaultGateMetric).toBe('mean_average_precision_at_r');
    for (const task of TASKS) {
      if ('unsupported' in task.retrain) continue;
      expect(task.headlineMetrics[0]).toBe(task.retrain.defaultGateMetric);
    }
    const image = loadPipelineConfig(join(CONFIGS, 'shapes-tiny.json'));
    expect(() => retrainHooksOf(image, 'r.json')).toThrow(
      'r.json: the retrain job does not retrain image-similarity models such as shapes-tiny ' +
        '(its labelled image set does not grow at the edge); it retrains text-similarity and recommendation models',
    );
  });
});
