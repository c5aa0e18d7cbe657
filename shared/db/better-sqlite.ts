import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import type { MigrationDatabase } from './migrator.ts';

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement<unknown[]>;

/** Opens a database file with the vec0 extension loaded; read-only opens require the file to exist. */
export function openVecDatabase(path: string, options: { readonly: boolean }): SqliteDatabase {
  const db = new Database(path, { readonly: options.readonly, fileMustExist: options.readonly });
  try {
    sqliteVec.load(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** better-sqlite3 seen through the migrator's minimal interface. */
export function migrationDatabase(db: SqliteDatabase): MigrationDatabase {
  return {
    exec: (sql) => {
      db.exec(sql);
    },
    run: (sql, params = []) => {
      db.prepare(sql).run(...params);
    },
    all: (sql, params = []) => db.prepare(sql).all(...params),
  };
}

/** A vector as the bytes vec0 reads (little-endian float32), without copying. */
export function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}
