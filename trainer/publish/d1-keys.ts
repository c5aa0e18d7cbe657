import { generateApiKey } from '../../shared/auth/api-key.ts';
import {
  API_KEY_SCOPE_VALUES,
  INSERT_KEY,
  type KeyListing,
  REVOKE_KEY,
  SELECT_KEYS,
  toKeyListing,
} from '../../shared/db/edge-state.ts';
import { bindLiterals, type D1Target, describeD1Target, d1Execute as execute } from './d1.ts';

type Scope = (typeof API_KEY_SCOPE_VALUES)[number];

/** A database whose migrations were never applied says how to apply them, instead of "no such table". */
async function d1Execute(target: D1Target, sql: string) {
  try {
    return await execute(target, sql);
  } catch (error) {
    if (!/no such table: api_keys/.test((error as Error).message)) throw error;
    const where = target.local
      ? `--local${target.persistTo ? ` --persist-to ${target.persistTo}` : ''}`
      : '--remote';
    throw new Error(
      `${describeD1Target(target)} has no api_keys table yet: apply the migrations first ` +
        `(npx wrangler d1 migrations apply ${target.database} ${where})`,
      { cause: error },
    );
  }
}

/**
 * API keys for the Worker, in its D1 database, as `dml-edge keys` keeps them in Node's state.db
 * (edge/adapters/node/state-db.ts): the same table and statements, only sha256 of each key stored, the key
 * shown once. The Worker reads the table on every request that presents a key, so a new key works and a
 * revoked one is refused at once.
 */
export async function createD1ApiKey(
  target: D1Target,
  options: { scope: Scope; name?: string },
): Promise<KeyListing & { key: string }> {
  if (!API_KEY_SCOPE_VALUES.includes(options.scope)) throw new Error(`unknown scope ${options.scope}`);
  const { id, key, sha256 } = await generateApiKey();
  const createdAt = new Date().toISOString();
  const name = options.name ?? null;
  await d1Execute(target, bindLiterals(INSERT_KEY, [id, name, options.scope, sha256, createdAt]));
  return { id, key, name, scope: options.scope, created_at: createdAt, revoked_at: null };
}

/** Every key, oldest first, without hashes. */
export async function listD1ApiKeys(target: D1Target): Promise<KeyListing[]> {
  const [rows] = await d1Execute(target, SELECT_KEYS);
  return rows.map(toKeyListing);
}

/** Revokes a live key; throws when there is no such live key. */
export async function revokeD1ApiKey(target: D1Target, id: string): Promise<void> {
  const [rows] = await d1Execute(
    target,
    `${bindLiterals(REVOKE_KEY, [new Date().toISOString(), id])} RETURNING id`,
  );
  if (rows.length === 0) throw new Error(`no live key ${id} in ${describeD1Target(target)}`);
}
