import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { backendsCommand } from './commands/backends.ts';
import { evalCommand } from './commands/eval.ts';
import { experimentCommand } from './commands/experiment.ts';
import { fewShotCommand } from './commands/fewshot.ts';
import { keysCommand } from './commands/keys.ts';
import { modelsCommand } from './commands/models.ts';
import { pipelineCommands } from './commands/pipeline.ts';
import { protocolCommand } from './commands/protocol.ts';
import { retrainCommand } from './commands/retrain.ts';
import { serveCommand, startCommand } from './commands/serve.ts';
import { uploadCommand } from './commands/upload.ts';

const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * The `dml-edge` command line: one file per command under commands/, each declaring its flags once
 * (commander derives every --help from them). Commands parse flags and call stages; the work lives in
 * trainer/ and edge/.
 */
export function createProgram(): Command {
  const program = new Command('dml-edge')
    .description('Train deep-metric-learning embedding models, then serve them at the edge.')
    .version(PACKAGE.version)
    // Its own flags only before a command: `eval --version <v>` is eval's flag, not the program's.
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .exitOverride();
  for (const command of [
    startCommand(),
    serveCommand(),
    ...pipelineCommands(),
    evalCommand(),
    fewShotCommand(),
    experimentCommand(),
    protocolCommand(),
    retrainCommand(),
    modelsCommand(),
    keysCommand(),
    uploadCommand(),
    backendsCommand(),
  ]) {
    program.addCommand(command);
  }
  // Every subcommand (and theirs) reports parse errors instead of exiting, so main() decides the status.
  const exitOverride = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/** Usage errors exit 2, like most command-line tools; failures of the work itself exit 1. */
const USAGE_ERROR = 2;

/**
 * Runs the command line on `args` (without node and the script) and returns the exit status. A failure
 * prints one clear message (no stack trace unless DML_EDGE_DEBUG is set); a command may set its own
 * status through process.exitCode (retrain's summary codes).
 */
export async function runCli(args: readonly string[]): Promise<number> {
  process.exitCode = undefined;
  try {
    await createProgram().parseAsync(args, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    // commander has printed its message already (or the help or version asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    process.stderr.write(`dml-edge: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.DML_EDGE_DEBUG) console.error(error);
    return 1;
  }
}
