import { resolve } from 'node:path';
import { z } from 'zod';
import { runWrangler } from './r2.ts';

/**
 * The Worker's D1 database (wrangler.toml's `[[d1_databases]]`, binding STATE) reached through wrangler,
 * as `dml-edge upload` reaches R2: `wrangler d1 execute` against the account wrangler is logged in to,
 * or with `local` the database `wrangler dev` uses (.wrangler/state beside wrangler.toml, or
 * `persistTo`). Used for API keys (d1-keys.ts), the retrain job's event log
 * (trainer/tasks/recommendation/retrain/d1-event-log.ts) and migrations.
 */
export const D1TargetSchema = z
  .object({
    /** The binding or database name in wrangler.toml; wrangler accepts either. */
    database: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a D1 binding or database name: letters, digits, _ and -')
      .default('STATE'),
    /** The local database `wrangler dev` uses instead of the account's. */
    local: z.boolean().default(false),
    /** With `local`: wrangler's state folder (wrangler's --persist-to). */
    persistTo: z.string().min(1).optional(),
  })
  .strict()
  .refine((target) => target.local || target.persistTo === undefined, {
    message: 'persistTo applies to the local database only',
    path: ['persistTo'],
  });
export type D1TargetInput = z.input<typeof D1TargetSchema>;
export type D1Target = z.output<typeof D1TargetSchema>;

export function parseD1Target(input: D1TargetInput): D1Target {
  return D1TargetSchema.parse(input);
}

/** Where the database is, for messages: `D1 STATE (local, /path/.wrangler/state)` or `D1 STATE`. */
export function describeD1Target(target: D1Target): string {
  if (!target.local) return `D1 ${target.database}`;
  return `D1 ${target.database} (local${target.persistTo ? `, ${resolve(target.persistTo)}` : ''})`;
}

function whereFlags(target: D1Target): string[] {
  return target.local
    ? ['--local', ...(target.persistTo ? ['--persist-to', resolve(target.persistTo)] : [])]
    : ['--remote'];
}

const StatementResultSchema = z.object({
  results: z.array(z.record(z.string(), z.unknown())).default([]),
  success: z.boolean(),
});

/**
 * Runs `sql` (one or more statements; values inlined with sqlLiteral/bindLiterals, since wrangler takes
 * none separately) and returns each statement's rows. wrangler runs the statements of one call as one
 * batch. Throws with wrangler's output when it fails.
 */
export async function d1Execute(
  target: D1Target,
  sql: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>[][]> {
  const stdout = await runWrangler(
    ['d1', 'execute', target.database, ...whereFlags(target), '--json', '--command', sql],
    signal,
  );
  // The JSON array starts a line; anything wrangler prints before it (a notice) is skipped.
  const start = stdout.search(/^\[/m);
  let parsed: unknown;
  try {
    parsed = JSON.parse(start >= 0 ? stdout.slice(start) : stdout);
  } catch {
    throw new Error(`wrangler d1 execute printed no JSON:\n${stdout}`);
  }
  const results = z.array(StatementResultSchema).parse(parsed);
  const failed = results.findIndex((result) => !result.success);
  if (failed >= 0) throw new Error(`statement ${failed + 1} of the D1 batch failed`);
  return results.map((result) => result.results);
}

/** Applies migrations/edge-state/ (wrangler.toml's migrations_dir) that the database lacks. */
export function d1MigrationsApply(target: D1Target, signal?: AbortSignal): Promise<string> {
  return runWrangler(['d1', 'migrations', 'apply', target.database, ...whereFlags(target)], signal);
}

/** A value as an SQL literal: strings quoted (quotes doubled), finite numbers as they print, null. */
export function sqlLiteral(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} into SQL`);
    return String(value);
  }
  if (value.includes('\0')) throw new RangeError('text for SQL must not contain NUL characters');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A statement with `?` placeholders (the shared ones in shared/db/edge-state.ts) with its values
 * written in as literals. Only for statements without quoted text of their own, where every `?` is a
 * placeholder.
 */
export function bindLiterals(sql: string, values: readonly (string | number | null)[]): string {
  if (/['"`]/.test(sql)) throw new Error('bindLiterals takes statements without quoted text');
  const parts = sql.split('?');
  if (parts.length - 1 !== values.length) {
    throw new Error(`the statement has ${parts.length - 1} placeholders, given ${values.length} values`);
  }
  return parts.reduce((text, part, i) => `${text}${sqlLiteral(values[i - 1])}${part}`);
}
