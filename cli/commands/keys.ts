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
import { type ArtifactsFlag, artifactsOption, stateOption, statePath } from '../options.ts';

interface KeysFlags extends ArtifactsFlag {
  state?: string;
}

async function withState<T>(
  flags: KeysFlags,
  use: (state: StateDb, path: string) => Promise<T> | T,
): Promise<T> {
  const path = statePath(flags);
  mkdirSync(dirname(path), { recursive: true });
  const state = await openStateDb(path);
  try {
    return await use(state, path);
  } finally {
    state.close();
  }
}

const withStateOptions = (command: Command) => command.addOption(stateOption()).addOption(artifactsOption());

/**
 * `dml-edge keys`: API keys for the edge's write endpoints (and its reads under --require-keys). A new key
 * is printed once; only its sha256 is stored. A revoked key is refused by a running server at once.
 */
export function keysCommand(): Command {
  const keys = new Command('keys').description(
    'API keys: keys create --scope <scope> | keys list | keys revoke <id>',
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
    ).action((flags: KeysFlags & { scope: ApiKeyScope; name?: string }) =>
      withState(flags, async (state) => {
        const created = await createApiKey(state.db, { scope: flags.scope, name: flags.name });
        process.stderr.write(`created key ${created.id} (${flags.scope}); it is shown only now:\n`);
        process.stdout.write(`${created.key}\n`);
      }),
    ),
  );
  keys.addCommand(
    withStateOptions(new Command('list').description('every key: id, scope, created, revoked, name')).action(
      (flags: KeysFlags) =>
        withState(flags, (state) => {
          for (const key of listApiKeys(state.db)) {
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
    ).action((id: string, flags: KeysFlags) =>
      withState(flags, (state, path) => {
        if (!revokeApiKey(state.db, id)) throw new Error(`no live key ${id} in ${path}`);
        process.stderr.write(`revoked key ${id}\n`);
      }),
    ),
  );
  return keys;
}
