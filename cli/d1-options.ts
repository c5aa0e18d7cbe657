import { type Command, Option } from 'commander';
import { type D1Target, parseD1Target } from '../trainer/publish/d1.ts';

/**
 * The flags that name the Workers build's D1 database (`keys --target d1`, `retrain --events d1`): the
 * account's database through wrangler's login, or with --local the one `wrangler dev` uses.
 */
export interface D1Flags {
  local?: boolean;
  persistTo?: string;
  database?: string;
}

export function addD1Options(command: Command, what: string): Command {
  return command
    .addOption(
      new Option('--local', `${what}: the local D1 database \`npm run dev:worker\` uses, not the account's`),
    )
    .addOption(
      new Option('--persist-to <dir>', "with --local: wrangler's state folder (default .wrangler/state)"),
    )
    .addOption(
      new Option(
        '--database <name>',
        `${what}: the D1 binding or database name in wrangler.toml (default STATE)`,
      ),
    );
}

/** The D1 database the flags name. */
export function d1TargetOf(flags: D1Flags): D1Target {
  return parseD1Target({
    ...(flags.database === undefined ? {} : { database: flags.database }),
    local: flags.local === true,
    ...(flags.persistTo === undefined ? {} : { persistTo: flags.persistTo }),
  });
}

/** Which D1 flags were given, for refusing them where they do not apply. */
export function givenD1Flags(flags: D1Flags): string[] {
  return [
    ...(flags.local ? ['--local'] : []),
    ...(flags.persistTo !== undefined ? ['--persist-to'] : []),
    ...(flags.database !== undefined ? ['--database'] : []),
  ];
}
