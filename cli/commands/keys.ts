import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import {
  createApiKey,
  listApiKeys,
  openStateDb,
  revokeApiKey,
  type StateDb,
} from '../../edge/adapters/node/state-db.ts';
import { API_KEY_SCOPES } from '../../edge/auth/scopes.ts';
import type { ApiKeyScope } from '../../edge/ports.ts';
import { createD1ApiKey, listD1ApiKeys, revokeD1ApiKey } from '../../trainer/publish/d1-keys.ts';
import { addD1Options, type D1Flags, d1TargetOf, givenD1Flags } from '../d1-options.ts';
import { type ArtifactsFlag, artifactsOption, stateOption, statePath } from '../options.ts';

interface KeysFlags extends ArtifactsFlag, D1Flags {
  state?: string;
  target?: 'd1';
}

/** Where the keys are: Node's state database, or with --target d1 the Worker's D1 database. */
type KeyPlace =
  | { kind: 'state'; state: StateDb; path: string }
  | { kind: 'd1'; target: ReturnType<typeof d1TargetOf> };

/** Refuses D1 flags without --target d1, and --state or --persist-to where they do not apply. */
function checkPlaceFlags(flags: KeysFlags, command: Command): void {
  const usage = (message: string) => command.error(`error: ${message}`, { exitCode: 2, code: 'dml.usage' });
  if (flags.target === 'd1') {
    if (flags.state !== undefined) usage('--state names the Node state database; not with --target d1');
    if (flags.persistTo !== undefined && !flags.local) usage('--persist-to needs --local');
  } else {
    const d1Only = givenD1Flags(flags);
    if (d1Only.length > 0) usage(`${d1Only.join(', ')} apply to --target d1 only`);
  }
}

async function withKeys<T>(
  flags: KeysFlags,
  command: Command,
  use: (place: KeyPlace) => Promise<T> | T,
): Promise<T> {
  checkPlaceFlags(flags, command);
  if (flags.target === 'd1') return use({ kind: 'd1', target: d1TargetOf(flags) });
  const path = statePath(flags);
  mkdirSync(dirname(path), { recursive: true });
  const state = await openStateDb(path);
  try {
    return await use({ kind: 'state', state, path });
  } finally {
    state.close();
  }
}

const withStateOptions = (command: Command) =>
  addD1Options(
    command
      .addOption(stateOption())
      .addOption(artifactsOption())
      .addOption(
        new Option(
          '--target <target>',
          "the Workers build's keys: its D1 database (wrangler.toml's STATE), through wrangler",
        ).choices(['d1']),
      ),
    'with --target d1',
  );

/**
 * `dml-edge keys`: API keys for the edge's write endpoints (and its reads under --require-keys). A new key
 * is printed once; only its sha256 is stored. A revoked key is refused by a running server at once. With
 * --target d1 the keys are the Worker's, in its D1 database (trainer/publish/d1-keys.ts).
 */
export function keysCommand(): Command {
  const keys = new Command('keys').description(
    'API keys: keys create --scope <scope> | keys list | keys revoke <id> [--target d1 [--local]]',
  );
  keys.addCommand(
    withStateOptions(
      new Command('create')
        .description('a new key, printed once (only its sha256 is stored)')
        .addOption(
          new Option('--scope <scope>', 'what it may do; each scope includes the ones before')
            .choices(API_KEY_SCOPES)
            .makeOptionMandatory(),
        )
        .addOption(new Option('--name <text>', 'a note on what the key is for')),
    ).action((flags: KeysFlags & { scope: ApiKeyScope; name?: string }, command: Command) =>
      withKeys(flags, command, async (place) => {
        const options = { scope: flags.scope, name: flags.name };
        const created =
          place.kind === 'd1'
            ? await createD1ApiKey(place.target, options)
            : await createApiKey(place.state.db, options);
        process.stderr.write(`created key ${created.id} (${flags.scope}); it is shown only now:\n`);
        process.stdout.write(`${created.key}\n`);
      }),
    ),
  );
  keys.addCommand(
    withStateOptions(new Command('list').description('every key: id, scope, created, revoked, name')).action(
      (flags: KeysFlags, command: Command) =>
        withKeys(flags, command, async (place) => {
          const listed =
            place.kind === 'd1' ? await listD1ApiKeys(place.target) : listApiKeys(place.state.db);
          for (const key of listed) {
            const revoked = key.revoked_at ? `revoked ${key.revoked_at}` : 'live';
            process.stdout.write(
              `${key.id}  ${key.scope.padEnd(5)}  ${key.created_at}  ${revoked}  ${key.name ?? ''}\n`,
            );
          }
        }),
    ),
  );
  keys.addCommand(
    withStateOptions(
      new Command('revoke')
        .description('refuse a key from now on')
        .argument('<id>', 'the key id (keys list)'),
    ).action((id: string, flags: KeysFlags, command: Command) =>
      withKeys(flags, command, async (place) => {
        if (place.kind === 'd1') await revokeD1ApiKey(place.target, id);
        else if (!revokeApiKey(place.state.db, id)) throw new Error(`no live key ${id} in ${place.path}`);
        process.stderr.write(`revoked key ${id}\n`);
      }),
    ),
  );
  return keys;
}
