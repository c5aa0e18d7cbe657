import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  createApiKey,
  defaultStatePath,
  listApiKeys,
  openStateDb,
  revokeApiKey,
} from '../edge/adapters/node/state-db.ts';
import { API_KEY_SCOPES } from '../edge/auth/scopes.ts';
import type { Command } from './commands.ts';

type Values = Record<string, string | boolean | undefined>;

const USAGE = `dml-edge keys create --scope ${API_KEY_SCOPES.join('|')} [--name <text>] | keys list | keys revoke <id>`;

/** The state database a server on the same artifacts uses (see `dml-edge serve --state`). */
export function statePath(values: Values): string {
  const artifacts = resolve(String(values.artifacts ?? process.env.DML_EDGE_ARTIFACTS ?? 'artifacts'));
  return resolve(String(values.state ?? process.env.DML_EDGE_STATE ?? defaultStatePath(artifacts)));
}

/**
 * `dml-edge keys`: API keys for the edge's write endpoints (and its reads under --require-keys). A new key
 * is printed once; only its sha256 is stored. A revoked key is refused by a running server at once.
 */
export const keysCommand: Command = {
  summary: 'API keys: keys create --scope read|write|admin [--name <text>] | keys list | keys revoke <id>',
  options: {
    help: { type: 'boolean', short: 'h' },
    scope: { type: 'string' },
    name: { type: 'string' },
    state: { type: 'string' },
    artifacts: { type: 'string' },
  },
  help: [
    [
      'create --scope <scope>',
      `a new key with scope ${API_KEY_SCOPES.join(', ')} (each includes the ones before)`,
    ],
    ['--name <text>', 'with create: a note on what the key is for'],
    ['list', 'every key: id, scope, name, created, revoked'],
    ['revoke <id>', 'refuse a key from now on'],
    ['--state <file>', 'the state database (env DML_EDGE_STATE; default <artifacts>/state.db)'],
    ['--artifacts <dir>', 'published models (env DML_EDGE_ARTIFACTS; default artifacts)'],
  ],
  async run(values, positionals) {
    const [action, id, ...extra] = positionals;
    if (extra.length > 0 || (action === 'revoke') !== (id !== undefined)) throw new Error(`usage: ${USAGE}`);
    const path = statePath(values);
    mkdirSync(dirname(path), { recursive: true });
    const state = await openStateDb(path);
    try {
      switch (action) {
        case 'create': {
          const scope = API_KEY_SCOPES.find((s) => s === values.scope);
          if (!scope) throw new Error(`--scope must be one of ${API_KEY_SCOPES.join(', ')}; usage: ${USAGE}`);
          const name = typeof values.name === 'string' ? values.name : undefined;
          const created = await createApiKey(state.db, { scope, name });
          process.stderr.write(`created key ${created.id} (${scope}); it is shown only now:\n`);
          process.stdout.write(`${created.key}\n`);
          return 0;
        }
        case 'list':
          for (const key of listApiKeys(state.db)) {
            const revoked = key.revoked_at ? `revoked ${key.revoked_at}` : 'live';
            process.stdout.write(
              `${key.id}  ${key.scope.padEnd(5)}  ${key.created_at}  ${revoked}  ${key.name ?? ''}\n`,
            );
          }
          return 0;
        case 'revoke':
          if (!revokeApiKey(state.db, id)) throw new Error(`no live key ${id} in ${path}`);
          process.stderr.write(`revoked key ${id}\n`);
          return 0;
        default:
          throw new Error(`usage: ${USAGE}`);
      }
    } finally {
      state.close();
    }
  },
};
