// Versioned SQL migrations: sql/migrations/NNNN_name.sql applied in order, each in its own
// transaction together with its schema_migrations row. Applied files are pinned by sha256, so an
// edited or deleted applied migration stops the run instead of drifting silently. A session-level
// advisory lock on one reserved connection serialises concurrent runners: the second waits, then
// finds nothing to do.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from 'postgres';
import { ExchangeError } from '../common/errors';
import { componentLogger, type Logger } from '../common/logger';

/** Advisory lock key reserved for migrations (any fixed bigint; spells "migrate" in ASCII). */
export const MIGRATION_LOCK_KEY = '31093567361921893';

const FILE_NAME = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;

export type MigrationErrorCode =
  /** A .sql file in the migrations folder is not named NNNN_name.sql. */
  | 'E_MIGRATION_NAME'
  /** Two files share a version number. */
  | 'E_MIGRATION_DUPLICATE'
  /** An applied migration's file was edited, renamed or deleted. */
  | 'E_MIGRATION_CHECKSUM'
  /** A pending migration's version is below one already applied. */
  | 'E_MIGRATION_ORDER'
  /** A migration's SQL failed; nothing of it was applied. */
  | 'E_MIGRATION_FAILED'
  /** The migrations folder is missing or unreadable. */
  | 'E_MIGRATION_DIR';

export class MigrationError extends ExchangeError {
  declare readonly code: MigrationErrorCode;
  // biome-ignore lint/complexity/noUselessConstructor: narrows `code` to MigrationErrorCode.
  constructor(code: MigrationErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export interface MigrationFile {
  readonly version: number;
  /** File name, e.g. 0001_extensions_and_identity.sql. */
  readonly file: string;
  readonly text: string;
  /** sha256 of the file's bytes, hex. */
  readonly checksum: string;
}

export interface MigrateOptions {
  /** Folder holding NNNN_name.sql files. */
  readonly dir: string;
  /** Defaults to componentLogger('migrate'). */
  readonly log?: Logger;
}

export interface MigrateResult {
  /** File names applied by this run, in order. */
  readonly applied: string[];
  /** File names that were already applied (checksum verified). */
  readonly skipped: string[];
}

/** Reads and validates the migration files of `dir`, sorted by version. Non-.sql files are ignored. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    throw new MigrationError('E_MIGRATION_DIR', `cannot read migrations folder ${dir}`, {
      cause: err,
    });
  }
  const names = entries.filter((n) => n.endsWith('.sql')).sort();
  const byVersion = new Map<number, MigrationFile>();
  for (const file of names) {
    const m = FILE_NAME.exec(file);
    if (m === null) {
      throw new MigrationError(
        'E_MIGRATION_NAME',
        `migration file ${JSON.stringify(file)} in ${dir} is not named NNNN_name.sql ` +
          '(four-digit version, then lower-case letters, digits and underscores)',
      );
    }
    const version = Number(m[1]);
    if (version === 0) {
      throw new MigrationError('E_MIGRATION_NAME', `migration ${file}: versions start at 0001`);
    }
    const other = byVersion.get(version);
    if (other !== undefined) {
      throw new MigrationError(
        'E_MIGRATION_DUPLICATE',
        `migrations ${other.file} and ${file} share version ${m[1]}`,
      );
    }
    const bytes = await readFile(path.join(dir, file));
    byVersion.set(version, {
      version,
      file,
      text: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/**
 * Applies the pending migrations of `dir` to the database of `sql` (a postgres.js client with
 * at least one free connection). Safe to run concurrently and repeatedly.
 * Throws MigrationError; a failing migration leaves the ones before it applied.
 */
export async function migrate(sql: Sql, options: MigrateOptions): Promise<MigrateResult> {
  const log = options.log ?? componentLogger('migrate');
  const files = await readMigrations(options.dir);
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`;
    try {
      return await migrateLocked(conn, files, log);
    } finally {
      // A failed unlock must not hide the run's own error; closing the session frees it anyway.
      await conn`select pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`.catch((err: unknown) =>
        log.warn({ err }, 'could not release the migration advisory lock'),
      );
    }
  } finally {
    conn.release();
  }
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function migrateLocked(
  conn: Sql,
  files: MigrationFile[],
  log: Logger,
): Promise<MigrateResult> {
  // to_regclass rather than CREATE TABLE IF NOT EXISTS: no NOTICE on every run.
  const [{ exists }] = await conn<
    { exists: boolean }[]
  >`select to_regclass('schema_migrations') is not null as exists`;
  if (!exists) {
    await conn`
      create table schema_migrations (
        version int primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`;
  }
  const applied = await conn<
    AppliedRow[]
  >`select version, name, checksum from schema_migrations order by version`;

  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const row of applied) {
    const f = byVersion.get(row.version);
    if (f === undefined) {
      throw new MigrationError(
        'E_MIGRATION_CHECKSUM',
        `applied migration ${row.name} (version ${row.version}) has no file any more; ` +
          'restore it (applied migrations are never deleted or edited; add a new one instead)',
      );
    }
    if (f.file !== row.name) {
      throw new MigrationError(
        'E_MIGRATION_CHECKSUM',
        `applied migration ${row.name} is now named ${f.file}; restore its original name`,
      );
    }
    if (f.checksum !== row.checksum) {
      throw new MigrationError(
        'E_MIGRATION_CHECKSUM',
        `applied migration ${f.file} was edited (sha256 ${row.checksum} when applied, ` +
          `${f.checksum} now); revert it and put the change in a new migration`,
      );
    }
  }

  const done = new Set(applied.map((r) => r.version));
  const maxApplied = applied.length === 0 ? 0 : applied[applied.length - 1].version;
  const pending = files.filter((f) => !done.has(f.version));
  const late = pending.find((f) => f.version < maxApplied);
  if (late !== undefined) {
    throw new MigrationError(
      'E_MIGRATION_ORDER',
      `migration ${late.file} is pending but a later version (${maxApplied}) is already applied; ` +
        'renumber it above the latest applied version',
    );
  }

  const result: MigrateResult = {
    applied: [],
    skipped: files.filter((f) => done.has(f.version)).map((f) => f.file),
  };
  for (const f of pending) {
    const started = process.hrtime.bigint();
    await conn`begin`;
    try {
      // No parameters: simple query protocol, so a file may hold many statements.
      await conn.unsafe(f.text);
      await conn`
        insert into schema_migrations (version, name, checksum)
        values (${f.version}, ${f.file}, ${f.checksum})`;
      await conn`commit`;
    } catch (err) {
      await conn`rollback`.catch(() => undefined);
      throw new MigrationError(
        'E_MIGRATION_FAILED',
        `migration ${f.file} failed${where(f.text, err)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log.info({ migration: f.file, version: f.version, ms: Math.round(ms) }, 'migration applied');
    result.applied.push(f.file);
  }
  return result;
}

/** " at line L" from a Postgres error's 1-based character position in the file, if present. */
function where(text: string, err: unknown): string {
  const pos = Number((err as { position?: unknown }).position);
  if (!Number.isInteger(pos) || pos < 1) return '';
  const line = text.slice(0, pos - 1).split('\n').length;
  return ` at line ${line}`;
}

/**
 * The repository's sql/migrations folder, found by walking up from `from` (default: this
 * file's folder), so it works from sql/ (ts) and dist/sql/ (compiled) alike.
 */
export function defaultMigrationsDir(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, 'sql', 'migrations');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new MigrationError(
        'E_MIGRATION_DIR',
        `no sql/migrations folder found above ${path.resolve(from)}`,
      );
    }
    dir = parent;
  }
}
