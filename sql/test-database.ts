// Throwaway databases for Postgres-backed tests (*.pg.test.ts anywhere in the project).
//
//   const db = await createTestDatabase('settlement');
//   t.teardown(() => db.drop());
//   await db.sql`select ...`;          // or connect your own client to db.url
//
// Each call creates a fresh, fully migrated database on the server of DATABASE_URL (default
// postgres://root@127.0.0.1:5432/test), named <prefix>_<pid>_<random>, so test files run in
// parallel without sharing state. drop() closes the returned client and drops the database
// WITH (FORCE), which also disconnects any client of your own still connected to it.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import postgres, { type Sql } from 'postgres';
import { loadConfig } from '../common/config';
import { defaultMigrationsDir, migrate } from './migrate';

export interface TestDatabase {
  /** Connection URL of the new database (same server and credentials as DATABASE_URL). */
  readonly url: string;
  /** Database name. */
  readonly name: string;
  /** A postgres.js client connected to the new database (NOTICEs are discarded). */
  readonly sql: Sql;
  /** Closes `sql` and drops the database. Idempotent. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Apply sql/migrations (default true). false gives an empty database. */
  readonly migrate?: boolean;
  /** Server to use; default loadConfig().databaseUrl. */
  readonly serverUrl?: string;
}

const silent = pino({ level: 'silent' });
const noop = (): void => {};

/** Creates a fresh database (migrated unless options.migrate === false); see the file header. */
export async function createTestDatabase(
  prefix = 'test',
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? loadConfig().databaseUrl;
  const safePrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 32);
  const name = `${safePrefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();

  await withAdmin(serverUrl, (admin) => admin.unsafe(`create database "${name}"`));

  const sql = postgres(url, { max: 4, onnotice: noop });
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    await sql.end({ timeout: 1 });
    await withAdmin(serverUrl, (admin) =>
      admin.unsafe(`drop database if exists "${name}" with (force)`),
    );
  };

  if (options.migrate !== false) {
    try {
      await migrate(sql, { dir: defaultMigrationsDir(__dirname), log: silent });
    } catch (err) {
      await drop().catch(noop);
      throw err;
    }
  }
  return { url, name, sql, drop };
}

async function withAdmin<T>(serverUrl: string, fn: (admin: Sql) => Promise<T>): Promise<T> {
  const admin = postgres(serverUrl, { max: 1, onnotice: noop });
  try {
    return await fn(admin);
  } finally {
    await admin.end({ timeout: 1 });
  }
}
