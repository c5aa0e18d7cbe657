import { parseArgs } from 'node:util';
import { COMMANDS, type Command, usage } from './commands.ts';

/**
 * The `dml-edge` command line: parses flags and calls stages; the work lives in trainer/ and edge/.
 * Failures print one clear message (no stack trace) and exit non-zero.
 */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const command: Command | undefined = COMMANDS[name];
  if (!command) {
    process.stderr.write(`dml-edge: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`dml-edge ${name}: ${(error as Error).message}\n\n${usage(name)}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(usage(name));
    return 0;
  }
  return command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`dml-edge: ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.env.DML_EDGE_DEBUG) console.error(error);
  process.exitCode = 1;
}
