import { Command, Option } from 'commander';
import { describeServing } from '../../edge/adapters/node/describe-serving.ts';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import { readCurrent } from '../../shared/artifacts/current.ts';
import { loadPipelineConfig } from '../../trainer/pipeline/pipeline-config.ts';
import { newestUnfinishedRun } from '../../trainer/pipeline/run-target.ts';
import {
  type ArtifactsFlag,
  artifactsDir,
  artifactsOption,
  backendOption,
  collectionsOption,
  collectionsPath,
  DEFAULT_CONFIG,
  runsOption,
  stateOption,
  statePath,
} from '../options.ts';
import { type AccessFlags, accessServerOptions, addAccessOptions } from '../serve-flags.ts';
import { type PipelineFlags, runPipelineCommand } from './pipeline.ts';

interface ServeFlags extends ArtifactsFlag, AccessFlags {
  host?: string;
  port?: string;
  defaultModel?: string;
  state?: string;
  collections?: string;
  requireKeys?: boolean;
}

function addServeOptions(command: Command): Command {
  return addAccessOptions(
    command
      .addOption(new Option('--host <addr>', 'address to bind (env HOST; default 127.0.0.1)'))
      .addOption(new Option('--port <n>', 'port (env PORT; default 8787)'))
      .addOption(artifactsOption())
      .addOption(
        new Option(
          '--default-model <name>',
          'model used when a request names none (default: the first text model)',
        ),
      )
      .addOption(stateOption())
      .addOption(collectionsOption())
      .addOption(
        new Option('--require-keys', 'reads need an API key too (writes always do; see dml-edge keys)'),
      ),
  );
}

/** Serves every published model until SIGINT or SIGTERM. */
async function serve(flags: ServeFlags): Promise<void> {
  const server = await startNodeServer({
    host: flags.host ?? process.env.HOST ?? '127.0.0.1',
    port: Number(flags.port ?? process.env.PORT ?? 8787),
    artifactsDir: artifactsDir(flags),
    defaultModel: flags.defaultModel,
    stateDb: statePath(flags),
    collectionsDb: collectionsPath(flags),
    requireKeys: flags.requireKeys === true,
    ...accessServerOptions(flags),
  });
  printWelcome(server);
  const stop = async () => {
    process.stderr.write('shutting down...\n');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Serve until a signal arrives.
  await new Promise(() => undefined);
}

/** What is served (models, collections, operations endpoints), then requests to try. */
function printWelcome(server: RunningServer): void {
  const { url } = server;
  const post = (path: string, body: unknown) =>
    `  curl -s ${url}${path} -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  process.stdout.write(
    [
      `dml-edge is serving on ${url}`,
      ...describeServing(server),
      '',
      'Try:',
      `  curl -s ${url}/v1/models`,
      ...server
        .served()
        .collections.slice(0, 1)
        .map(({ name, model }) =>
          post('/v1/search', { query: 'a domestic animal that barks', k: 5, collection: name, model }),
        ),
      post('/v1/similarity', { pairs: [['a device for measuring temperature', 'thermometer']] }),
      post('/v1/embed', { inputs: ['hello world'] }),
      `  API description: ${url}/openapi.json`,
      '',
    ].join('\n'),
  );
}

export function serveCommand(): Command {
  return addServeOptions(new Command('serve').description('serve every published model over HTTP')).action(
    serve,
  );
}

/**
 * `start` (`npm start`): serves the default model, first making it when it is not published: the newest
 * unfinished run of the same config continues where it stopped; otherwise a new run trains.
 */
export function startCommand(): Command {
  return addServeOptions(
    new Command('start').description(
      'publish the default model if it is not (continuing an unfinished run of it), then serve',
    ),
  )
    .addOption(new Option('--config <file>', `config of the default model (default ${DEFAULT_CONFIG})`))
    .addOption(runsOption())
    .addOption(backendOption())
    .action(async (flags: ServeFlags & PipelineFlags) => {
      const loaded = loadPipelineConfig(flags.config ?? DEFAULT_CONFIG);
      const name = loaded.config.name;
      if (!(await readCurrent(artifactsDir(flags), name))) {
        const unfinished = newestUnfinishedRun(flags.runs, loaded);
        process.stderr.write(
          unfinished
            ? `no published ${name} model in ${artifactsDir(flags)}: continuing run ${unfinished.runId}\n`
            : `no published ${name} model in ${artifactsDir(flags)}: training one now\n`,
        );
        await runPipelineCommand({ ...flags, run: undefined }, 'pipeline', unfinished);
      }
      await serve(flags);
    });
}
