import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { migrationDatabase } from '../../shared/db/better-sqlite.ts';
import { migrate } from '../../shared/db/migrator.ts';
import { MIGRATIONS_DIR, readMigrations } from '../../shared/db/read-migrations.ts';
import { sha256OfJson } from './canonical-json.ts';
import {
  type EvalSet,
  EvalSetRowSchema,
  EventRowSchema,
  type NewVersion,
  NewVersionSchema,
  type Scores,
  type VersionEvent,
  type VersionRecord,
  VersionRowSchema,
  type VersionStatus,
} from './schema.ts';

/** The registry's own schema history (see the SQL file for why it is not the index migrations). */
export const REGISTRY_MIGRATIONS_DIR = join(MIGRATIONS_DIR, 'registry');

/** How long a writer waits for another process's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 30_000;

export interface VersionRegistry {
  readonly path: string;
  /** Models with at least one version, sorted. */
  models(): string[];
  /** A model's versions, newest first. */
  list(model: string): VersionRecord[];
  get(model: string, version: string): VersionRecord | undefined;
  champion(model: string): VersionRecord | undefined;
  /** Versions trained on this data snapshot with this config, newest first. */
  withLineage(model: string, dataFingerprint: string, configSha256: string): VersionRecord[];
  /** Where a rollback goes: the retired version that became champion most recently. */
  previousChampion(model: string): VersionRecord | undefined;
  /** Status changes, oldest first; of one version, or of every version of the model. */
  events(model: string, version?: string): VersionEvent[];
  add(version: NewVersion): VersionRecord;
  setStatus(model: string, version: string, status: VersionStatus, reason: string): void;
  recordMetrics(model: string, version: string, evalSet: string, metrics: Scores): void;
  markPublished(model: string, version: string): void;
  evalSet(model: string): EvalSet | undefined;
  /** Records a model's frozen evaluation set; refuses when the model already has one. */
  freezeEvalSet(set: Pick<EvalSet, 'model' | 'kind' | 'items' | 'source'>): EvalSet;
  /**
   * Runs `work` inside one write transaction (BEGIN IMMEDIATE): writers in other processes wait for it,
   * and if this process dies before the end, SQLite rolls the registry's part back. Nested calls join
   * the outer transaction.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  close(): void;
}

const SELECT_VERSION = 'SELECT * FROM model_versions';
const NEWEST_FIRST = 'ORDER BY created_at DESC, version DESC';

/** Opens (creating and migrating when needed) the registry database at `path`. */
export async function openVersionRegistry(path: string): Promise<VersionRegistry> {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL lets `models list` read while a job writes; the busy timeout queues writers instead of failing.
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    await migrate(migrationDatabase(db), readMigrations(REGISTRY_MIGRATIONS_DIR));
  } catch (error) {
    db.close();
    throw new Error(`cannot open the registry ${path}: ${(error as Error).message}`, { cause: error });
  }

  const now = () => new Date().toISOString();
  const versions = (sql: string, ...params: unknown[]) =>
    db
      .prepare(sql)
      .all(...params)
      .map((row) => VersionRowSchema.parse(row));
  const one = (sql: string, ...params: unknown[]) => versions(sql, ...params)[0];
  const mustExist = (model: string, version: string) => {
    const record = one(`${SELECT_VERSION} WHERE model = ? AND version = ?`, model, version);
    if (!record) throw new Error(`the registry has no version ${model}@${version}`);
    return record;
  };
  const addEvent = (model: string, version: string, status: VersionStatus, reason: string | null) =>
    db
      .prepare('INSERT INTO model_version_events (model, version, status, reason, at) VALUES (?, ?, ?, ?, ?)')
      .run(model, version, status, reason, now());

  const registry: VersionRegistry = {
    path,
    models: () =>
      db.prepare('SELECT DISTINCT model FROM model_versions ORDER BY model').pluck().all() as string[],
    list: (model) => versions(`${SELECT_VERSION} WHERE model = ? ${NEWEST_FIRST}`, model),
    get: (model, version) => one(`${SELECT_VERSION} WHERE model = ? AND version = ?`, model, version),
    champion: (model) => one(`${SELECT_VERSION} WHERE model = ? AND status = 'champion'`, model),
    withLineage: (model, dataFingerprint, configSha256) =>
      versions(
        `${SELECT_VERSION} WHERE model = ? AND data_fingerprint = ? AND config_sha256 = ? ${NEWEST_FIRST}`,
        model,
        dataFingerprint,
        configSha256,
      ),
    previousChampion: (model) =>
      one(
        `${SELECT_VERSION} WHERE model = ? AND status = 'retired' AND promoted_at IS NOT NULL
         ORDER BY promoted_at DESC, version DESC LIMIT 1`,
        model,
      ),
    events: (model, version) =>
      db
        .prepare(
          `SELECT version, status, reason, at FROM model_version_events
           WHERE model = ? AND (? IS NULL OR version = ?) ORDER BY id`,
        )
        .all(model, version ?? null, version ?? null)
        .map((row) => EventRowSchema.parse(row)),

    add(input) {
      const v = NewVersionSchema.parse(input);
      const at = now();
      db.transaction(() => {
        db.prepare(
          `INSERT INTO model_versions (model, version, status, parent_version, run_id, run_dir,
             data_fingerprint, snapshot, config, config_sha256, reason, created_at, updated_at,
             published_at, promoted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          v.model,
          v.version,
          v.status,
          v.parentVersion,
          v.runId,
          v.runDir,
          v.dataFingerprint,
          JSON.stringify(v.snapshot),
          JSON.stringify(v.config),
          v.configSha256,
          v.reason,
          at,
          at,
          v.publishedAt,
          v.promotedAt,
        );
        addEvent(v.model, v.version, v.status, v.reason);
      })();
      return mustExist(v.model, v.version);
    },

    setStatus(model, version, status, reason) {
      mustExist(model, version);
      const at = now();
      db.transaction(() => {
        db.prepare(
          `UPDATE model_versions SET status = ?, reason = ?, updated_at = ?,
             promoted_at = CASE WHEN ? = 'champion' THEN ? ELSE promoted_at END
           WHERE model = ? AND version = ?`,
        ).run(status, reason, at, status, at, model, version);
        addEvent(model, version, status, reason);
      })();
    },

    recordMetrics(model, version, evalSet, metrics) {
      mustExist(model, version);
      db.prepare(
        'UPDATE model_versions SET eval_set = ?, metrics = ?, updated_at = ? WHERE model = ? AND version = ?',
      ).run(evalSet, JSON.stringify(metrics), now(), model, version);
    },

    markPublished(model, version) {
      mustExist(model, version);
      const at = now();
      db.prepare(
        'UPDATE model_versions SET published_at = ?, updated_at = ? WHERE model = ? AND version = ?',
      ).run(at, at, model, version);
    },

    evalSet(model) {
      const row = db.prepare('SELECT * FROM eval_sets WHERE model = ?').get(model);
      return row === undefined ? undefined : EvalSetRowSchema.parse(row);
    },

    freezeEvalSet({ model, kind, items, source }) {
      const sha256 = sha256OfJson({ kind, items });
      db.prepare(
        'INSERT INTO eval_sets (model, sha256, kind, items, source, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(model, sha256, kind, JSON.stringify(items), source, now());
      return registry.evalSet(model)!;
    },

    async exclusive(work) {
      if (db.inTransaction) return work();
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },

    close: () => db.close(),
  };
  return registry;
}
