import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { startNodeServer } from '../edge/adapters/node/server.ts';
import { readCurrent } from '../shared/artifacts/current.ts';
import { BACKEND_CHOICES, initBackend } from '../trainer/backend/index.ts';
import { loadTextConfig } from '../trainer/config/text-config.ts';
import { loadPipelineConfig, type PipelineConfig, runPipeline } from '../trainer/pipeline/pipeline-config.ts';
import { createRunDir, newRunId } from '../trainer/pipeline/run-dir.ts';
import { STAGES, type Stage } from '../trainer/pipeline/stages.ts';
import { createProgress } from '../trainer/train/progress.ts';
import { backendFlag } from './backend-flag.ts';
import { evalCommand, evalHelp, evalOptions } from './eval.ts';
import { experimentCommand } from './experiment.ts';
import { keysCommand, statePath } from './keys.ts';
import { modelsCommand } from './models.ts';
import { protocolCommand } from './protocol.ts';
import { retrainCommand } from './retrain.ts';
import { accessHelp, accessOptions, accessServerOptions } from './serve-flags.ts';
import { checkR2Target, r2Help, r2Options, uploadCurrentToR2 } from './upload.ts';

type Values = Record<string, string | boolean | undefined>;

export interface Command {
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Flag descriptions for --help, in display order. */
  help: [flag: string, text: string][];
  run(values: Values, positionals: string[]): Promise<number>;
}

const DEFAULT_CONFIG = 'configs/wordnet-text.json';
const common = { help: { type: 'boolean', short: 'h' } } as const;
const serveOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  artifacts: { type: 'string' },
  'default-model': { type: 'string' },
  state: { type: 'string' },
  'require-keys': { type: 'boolean' },
  ...accessOptions,
} as const;
const serveHelp: [string, string][] = [
  ['--host <addr>', 'address to bind (env HOST; default 127.0.0.1)'],
  ['--port <n>', 'port (env PORT; default 8787)'],
  ['--artifacts <dir>', 'published models (env DML_EDGE_ARTIFACTS; default artifacts)'],
  ['--default-model <name>', 'model used when a request names none (default: the first text model)'],
  ['--state <file>', 'API keys and recorded events (env DML_EDGE_STATE; default <artifacts>/state.db)'],
  ['--require-keys', 'reads need an API key too (writes always do; see dml-edge keys)'],
  ...accessHelp,
];

function artifactsDir(values: Values): string {
  return resolve(String(values.artifacts ?? process.env.DML_EDGE_ARTIFACTS ?? 'artifacts'));
}

async function serve(values: Values): Promise<number> {
  const server = await startNodeServer({
    host: String(values.host ?? process.env.HOST ?? '127.0.0.1'),
    port: Number(values.port ?? process.env.PORT ?? 8787),
    artifactsDir: artifactsDir(values),
    defaultModel: values['default-model'] as string | undefined,
    stateDb: statePath(values),
    requireKeys: values['require-keys'] === true,
    ...accessServerOptions(values),
  });
  printWelcome(server.url);
  const stop = async () => {
    process.stderr.write('shutting down...\n');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Serve until a signal arrives.
  await new Promise(() => undefined);
  return 0;
}

function printWelcome(url: string): void {
  const post = (path: string, body: unknown) =>
    `  curl -s ${url}${path} -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  process.stdout.write(
    [
      `dml-edge is serving on ${url}`,
      '',
      'Try:',
      `  curl -s ${url}/v1/models`,
      post('/v1/search', { query: 'a domestic animal that barks', k: 5, collection: 'wordnet' }),
      post('/v1/similarity', { pairs: [['a device for measuring temperature', 'thermometer']] }),
      post('/v1/embed', { inputs: ['hello world'] }),
      `  API description: ${url}/openapi.json`,
      '',
    ].join('\n'),
  );
}

/** Runs stages of the config's pipeline; returns the model's name. */
async function pipeline(values: Values, stages: readonly Stage[]): Promise<string> {
  const loaded = withStrictData(loadPipelineConfig(String(values.config ?? DEFAULT_CONFIG)), values.strict);
  const { config } = loaded;
  const requestedBackend = backendFlag(values.backend) ?? config.backend;
  const runsDir = String(values.runs ?? 'runs');
  let runDir: string;
  let runId: string;
  let version: string;
  if (values.run) {
    runDir = resolve(runsDir, String(values.run));
    if (!existsSync(runDir) && !stages.includes('train')) throw new Error(`${runDir} does not exist`);
    runId = String(values.run);
    version = runId.slice(config.name.length + 1) || runId;
  } else {
    ({ id: runId, version } = newRunId(config.name));
    runDir = createRunDir(runsDir, runId);
  }
  const backend = await initBackend(requestedBackend);
  const progress = createProgress();
  progress.log(`run ${runId} in ${runDir}; TensorFlow.js backend: ${backend.name} (${backend.package})`);
  await runPipeline(loaded, {
    runDir,
    runId,
    version,
    backend,
    progress,
    artifactsDir: artifactsDir(values),
    stages,
  });
  return config.name;
}

/** `--strict`: bad rows in interaction or item files fail the run instead of being skipped and counted. */
function withStrictData(loaded: PipelineConfig, strict: Values[string]): PipelineConfig {
  if (strict !== true) return loaded;
  if (loaded.task !== 'recommendation') {
    throw new Error('--strict applies to recommendation configs (their CSV files); this config is not one');
  }
  return { ...loaded, config: { ...loaded.config, data: { ...loaded.config.data, strict: true } } };
}

const pipelineOptions = {
  strict: { type: 'boolean' },
  config: { type: 'string' },
  run: { type: 'string' },
  runs: { type: 'string' },
  backend: { type: 'string' },
  artifacts: { type: 'string' },
} as const;
const pipelineHelp: [string, string][] = [
  [
    '--config <file>',
    `training config; its task picks the pipeline: text, image or recommendation (default ${DEFAULT_CONFIG})`,
  ],
  ['--strict', 'recommendation configs: fail on bad CSV rows (default: skip and count them)'],
  ['--run <id>', 'an existing run under runs/ to continue or rerun a stage of (default: a new run)'],
  ['--runs <dir>', 'where runs live (default runs)'],
  [
    '--backend <name>',
    `TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')} (default from the config: auto)`,
  ],
  ['--artifacts <dir>', 'where publish writes (default artifacts)'],
];

function stageCommand(stage: Stage, summary: string): Command {
  return {
    summary,
    options: { ...common, ...pipelineOptions },
    help: pipelineHelp,
    run: async (values) => {
      await pipeline(values, [stage]);
      return 0;
    },
  };
}

export const COMMANDS: Record<string, Command> = {
  start: {
    summary:
      'train, evaluate, export, index and publish the default text model if none is published, then serve',
    options: { ...common, ...serveOptions, config: { type: 'string' }, backend: { type: 'string' } },
    help: [['--config <file>', `config of the default model (default ${DEFAULT_CONFIG})`], ...serveHelp],
    async run(values) {
      const config = loadTextConfig(String(values.config ?? DEFAULT_CONFIG));
      if (!(await readCurrent(artifactsDir(values), config.name))) {
        process.stderr.write(
          `no published ${config.name} model in ${artifactsDir(values)}: training one now\n`,
        );
        await pipeline(values, STAGES);
      }
      return serve(values);
    },
  },
  serve: {
    summary: 'serve every published model over HTTP',
    options: { ...common, ...serveOptions },
    help: serveHelp,
    run: serve,
  },
  pipeline: {
    summary: `run every stage for a config: ${STAGES.join(' -> ')}`,
    options: { ...common, ...pipelineOptions },
    help: pipelineHelp,
    run: async (values) => {
      await pipeline(values, STAGES);
      return 0;
    },
  },
  train: stageCommand('train', 'train a model (resumes --run from its last checkpoint)'),
  evaluate: stageCommand('evaluate', 'evaluate a run on its held-out test split; writes eval.json'),
  export: stageCommand('export', 'export fp32 and int8 ONNX, check them, measure parity; writes export.json'),
  index: stageCommand('index', 'embed the catalogue with the exported model into index.db'),
  eval: {
    summary: 'evaluate a published model on a dataset, as the edge serves it; writes metrics.json',
    options: { ...common, ...evalOptions },
    help: evalHelp,
    run: (values) => evalCommand(values, artifactsDir(values)),
  },
  report: stageCommand('report', "rebuild a run's report.html"),
  publish: {
    summary:
      "publish a run's model, index and report to the artifacts directory (and, with --target r2, to R2)",
    options: { ...common, ...pipelineOptions, ...r2Options },
    help: [...pipelineHelp, ...r2Help],
    async run(values) {
      if (values.target !== undefined) checkR2Target(values);
      const model = await pipeline(values, ['publish']);
      if (values.target !== undefined) await uploadCurrentToR2(values, artifactsDir(values), model);
      return 0;
    },
  },
  experiment: experimentCommand,
  protocol: protocolCommand,
  retrain: retrainCommand,
  models: modelsCommand,
  keys: keysCommand,
  upload: {
    summary: 'upload the current version of published models to an R2 bucket for the Workers build',
    options: { ...common, ...r2Options, model: { type: 'string' }, artifacts: { type: 'string' } },
    help: [
      ...r2Help,
      ['--model <name>', 'only this model (default: every model with a current version)'],
      ['--artifacts <dir>', 'published models (env DML_EDGE_ARTIFACTS; default artifacts)'],
    ],
    async run(values) {
      await uploadCurrentToR2(values, artifactsDir(values), values.model as string | undefined);
      return 0;
    },
  },
};

export function usage(name?: string): string {
  if (name && COMMANDS[name]) {
    const command = COMMANDS[name];
    const flags = command.help.map(([flag, text]) => `  ${flag.padEnd(26)}${text}`).join('\n');
    return `usage: dml-edge ${name} [options]\n\n${command.summary}\n\noptions:\n${flags}\n  ${'--help'.padEnd(26)}this help\n`;
  }
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`);
  return `usage: dml-edge <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun dml-edge <command> --help for its options.\n`;
}
