/**
 * The part of the sqlite3 WebAssembly API (https://sqlite.org/wasm/doc/trunk/api-index.md) that the
 * Workers index uses, as shipped by `sqlite-vec-wasm-demo` 0.1.9 (SQLite 3.45.3 + sqlite-vec 0.1.9),
 * which has no type declarations of its own.
 */
declare module 'sqlite-vec-wasm-demo' {
  /** Emscripten module options; see sqlite-precompiled.ts for why each is set. */
  export interface SqliteInitOptions {
    instantiateWasm(
      imports: WebAssembly.Imports,
      done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ): object;
    setStatus(status: string): void;
    HEAPU64: boolean;
    print(text: string): void;
    printErr(text: string): void;
  }

  export type SqliteValue = number | bigint | string | Uint8Array | null;

  export interface SqliteStatement {
    bind(values: readonly SqliteValue[]): SqliteStatement;
    step(): boolean;
    /** The current row as {column: value}. */
    get(target: Record<string, never>): Record<string, SqliteValue>;
    reset(alsoClearBinds?: boolean): SqliteStatement;
    finalize(): void;
  }

  export interface SqliteDatabase {
    /** The sqlite3* handle, for the C API. */
    readonly pointer: number;
    prepare(sql: string): SqliteStatement;
    selectObjects(sql: string, bind?: readonly SqliteValue[]): Record<string, SqliteValue>[];
    selectValue(sql: string, bind?: readonly SqliteValue[]): SqliteValue | undefined;
    /** Throws an Error with SQLite's message when rc is not SQLITE_OK. */
    checkRc(rc: number): SqliteDatabase;
    close(): void;
  }

  export interface Sqlite3 {
    version: { libVersion: string };
    oo1: { DB: new (filename?: string, flags?: string) => SqliteDatabase };
    capi: {
      SQLITE_DESERIALIZE_FREEONCLOSE: number;
      SQLITE_DESERIALIZE_READONLY: number;
      sqlite3_deserialize(
        db: number,
        schema: string,
        data: number,
        dbSize: number,
        bufferSize: number,
        flags: number,
      ): number;
    };
    wasm: {
      /** sqlite3_malloc: throws when out of memory. */
      alloc(bytes: number): number;
      dealloc(pointer: number): void;
      /** The current view of the module's memory (a new one after memory grows). */
      heap8u(): Uint8Array;
    };
  }

  export default function sqlite3InitModule(options: SqliteInitOptions): Promise<Sqlite3>;
}
